package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AgentCraft protocol of agentcraft-websocket-protocol.md, with a plain JDK client: the client id check, active
 * sessions, agent status and collaboration, session state and logs, log streaming, the server's heartbeat and the
 * rate limit; sessions started over the HTTP API.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class AgentCraftConformanceIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CLIENT = "client_1642678200123_k3j9x2m1p";

    @Test
    void shouldCloseAnInvalidClientIdWith1008(LocalCluster cluster) throws Exception {
        for (String invalid : new String[] {"x".repeat(129), "two%20words", "quote%22d"}) {
            try (RawSocket socket = RawSocket.connect(uri(cluster, invalid))) {
                RelayConnection.CloseStatus closed = socket.closed().get(10, TimeUnit.SECONDS);
                assertThat(closed.code()).as(invalid).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
                assertThat(closed.reason()).isEqualTo("Invalid client ID");
                assertThat(socket.frames()).isEmpty();
            }
        }
    }

    @Test
    void shouldTrackASessionFromActiveSessionsToItsAgentsStateAndLogs(LocalCluster cluster) throws Exception {
        try (RawSocket client = RawSocket.connect(uri(cluster, CLIENT))) {
            await().atMost(WAIT).until(() -> client.types().contains("active_sessions"));
            JsonNode first = client.ofType("active_sessions").get(0);
            assertThat(first.path("timestamp").isNumber()).isTrue();
            assertThat(first.path("data").path("total_sessions").asInt()).isZero();

            HttpResponse<String> started = NexusPanelsIT.post(cluster, "/api/workflows",
                webhookSession("session_abc123", 1500), null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            assertThat(Json.readTree(started.body()).path("workflow_id").asText()).isEqualTo("session_abc123");

            await().atMost(WAIT).until(() -> client.ofType("active_sessions").stream()
                .anyMatch(frame -> frame.path("data").path("total_sessions").asInt() == 1));
            JsonNode listed = client.ofType("active_sessions").stream()
                .filter(frame -> frame.path("data").path("total_sessions").asInt() == 1).findFirst().orElseThrow()
                .path("data").path("sessions").get(0);
            assertThat(listed.path("session_id").asText()).isEqualTo("session_abc123");
            assertThat(listed.path("query").asText()).isEqualTo("How do I fix webhook errors?");
            assertThat(listed.path("status").asText()).isEqualTo("processing");

            client.send("{\"type\":\"get_session_state\",\"session_id\":\"session_abc123\"}");
            client.send("{\"type\":\"start_log_streaming\",\"session_id\":\"session_abc123\"}");

            await().atMost(WAIT).until(() -> client.types().contains("session_state"));
            JsonNode state = client.ofType("session_state").get(0);
            assertThat(state.path("session_id").asText()).isEqualTo("session_abc123");
            assertThat(state.path("state").path("query").asText()).isEqualTo("How do I fix webhook errors?");
            assertThat(state.path("state").path("current_phase").asText()).isEqualTo("processing");
            assertThat(state.path("state").path("active_agents")).extracting(agent -> agent.path("agent_name").asText())
                .containsExactly("analyze", "answer");
            assertThat(state.path("state").path("active_agents").get(0).path("status").asText())
                .isEqualTo("PROCESSING");
            assertThat(state.path("state").path("active_agents").get(1).path("status").asText()).isEqualTo("IDLE");

            await().atMost(WAIT).until(() -> client.ofType("active_sessions").stream()
                .skip(1).anyMatch(frame -> frame.path("data").path("total_sessions").asInt() == 0));
            await().atMost(WAIT).until(() -> client.ofType("agent_status").stream()
                .anyMatch(frame -> frame.path("agent_name").asText().equals("Coordinator")
                    && frame.path("status").asText().equals("COMPLETED")));
            assertThat(client.ofType("agent_collaboration")).singleElement().satisfies(handoff -> {
                assertThat(handoff.path("primary_agent").asText()).isEqualTo("analyze");
                assertThat(handoff.path("secondary_agent").asText()).isEqualTo("answer");
                assertThat(handoff.path("collaboration_type").asText()).isEqualTo("handoff");
                assertThat(handoff.path("reason").asText()).isNotBlank();
            });
            assertThat(client.ofType("agent_status")).filteredOn(f -> f.path("agent_name").asText().equals("answer"))
                .extracting(f -> f.path("status").asText()).containsExactly("PROCESSING", "COMPLETED");
            assertThat(client.ofType("agent_status")).extracting(f -> f.path("status").asText())
                .contains("COLLABORATING");
            JsonNode completed = client.ofType("agent_status").stream()
                .filter(f -> f.path("agent_name").asText().equals("answer") && f.path("status").asText()
                    .equals("COMPLETED")).findFirst().orElseThrow();
            assertThat(completed.path("agent_id").asText()).isEqualTo("session_abc123/answer");
            assertThat(completed.path("progress").asInt()).isEqualTo(100);
            assertThat(completed.path("message").asText()).startsWith("Completed in");
            assertThat(completed.path("metadata").path("task_id").asText()).isEqualTo("answer");
            assertThat(client.ofType("session_logs")).as("streamed log lines")
                .allSatisfy(frame -> assertThat(frame.path("logs")).hasSize(1))
                .extracting(frame -> frame.path("logs").get(0).path("message").asText())
                .contains("Starting echo", "Session completed");

            client.send("{\"type\":\"get_session_logs\",\"session_id\":\"session_abc123\"}");
            await().atMost(WAIT).until(() -> client.ofType("session_logs").stream()
                .anyMatch(frame -> frame.path("logs").size() > 1));
            JsonNode logs = client.ofType("session_logs").stream().filter(frame -> frame.path("logs").size() > 1)
                .findFirst().orElseThrow();
            assertThat(logs.path("session_id").asText()).isEqualTo("session_abc123");
            assertThat(logs.path("logs")).extracting(line -> line.path("message").asText())
                .startsWith("Session started with 2 steps", "Starting sleep").endsWith("Session completed");
            assertThat(logs.path("logs").get(0).path("level").asText()).isEqualTo("info");
            assertThat(logs.path("logs").get(1).path("agent").asText()).isEqualTo("analyze");
        }
    }

    @Test
    void shouldStartASessionFromAQuestionOverHttpAndStopStreamingItsLogs(LocalCluster cluster) throws Exception {
        try (RawSocket client = RawSocket.connect(uri(cluster, CLIENT))) {
            await().atMost(WAIT).until(() -> client.types().contains("active_sessions"));
            client.send("{\"type\":\"stop_log_streaming\"}");

            HttpResponse<String> started = NexusPanelsIT.post(cluster, "/api/sessions",
                Json.object().put("query", "Wait 800 ms"), null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String sessionId = Json.readTree(started.body()).path("session_id").asText();
            assertThat(sessionId).isNotBlank();

            client.send("{\"type\":\"get_session_state\",\"session_id\":\"" + sessionId + "\"}");
            await().atMost(WAIT).until(() -> client.ofType("agent_status").stream()
                .anyMatch(frame -> frame.path("agent_name").asText().equals("Coordinator")
                    && frame.path("status").asText().equals("COMPLETED")));
            assertThat(client.ofType("session_state").get(0).path("state").path("query").asText())
                .isEqualTo("Wait 800 ms");
            assertThat(client.types()).as("log streaming is off").doesNotContain("session_logs");

            client.send("{\"type\":\"get_session_state\",\"session_id\":\"never-started\"}");
            client.send("{\"type\":\"get_session_logs\"}");
            client.send("{\"type\":\"juggle\"}");
            await().atMost(WAIT).until(() -> client.ofType("error").size() == 2
                && client.types().contains("session_not_found"));
            assertThat(client.ofType("error")).extracting(error -> error.path("code").asText())
                .containsExactlyInAnyOrder("INVALID_REQUEST", "UNKNOWN_REQUEST");
        }
        HttpResponse<String> empty = NexusPanelsIT.post(cluster, "/api/sessions", Json.object(), null);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Json.readTree(empty.body()).path("error_code").asText()).isEqualTo("INVALID_REQUEST");
    }

    @Test
    void shouldPingASilentClientAndRateLimitAFastOne(EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox)
        throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_AGENTCRAFT_PING_MS", "1000", "RELAY_AGENTCRAFT_RATE_LIMIT", "5"));
             RawSocket client = RawSocket.connect(uri(cluster, CLIENT))) {
            await().atMost(WAIT).until(() -> client.types().contains("ping"));
            assertThat(client.ofType("ping").get(0).path("timestamp").isNumber()).isTrue();
            for (int i = 0; i < 8; i++) {
                client.send("{\"type\":\"pong\"}");
            }
            await().atMost(WAIT).until(() -> client.ofType("error").size() == 3);
            assertThat(client.ofType("error")).allSatisfy(error -> {
                assertThat(error.path("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(error.path("message").asText()).isNotBlank();
            });
            assertThat(client.closed()).isNotDone();
        }
    }

    /** Two steps, {@code analyze} (a sleep) then {@code answer} (an echo), for {@code POST /api/workflows}. */
    static ObjectNode webhookSession(String workflowId, int analyzeMs) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId)
            .put("prompt", "How do I fix webhook errors?");
        var nodes = workflow.putArray("nodes");
        nodes.addObject().put("id", "analyze").put("tool", "sleep").putObject("params").put("ms", analyzeMs);
        nodes.addObject().put("id", "answer").put("tool", "echo").putObject("params")
            .put("message", "Check the webhook signature");
        workflow.putArray("edges").addObject().put("from", "analyze").put("to", "answer");
        return workflow;
    }

    private static URI uri(LocalCluster cluster, String clientId) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/ws/agent-tracking/" + clientId);
    }
}

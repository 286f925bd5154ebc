package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * AgentCraft's own clients, replayed frame by frame: the React app ({@code src/components/MultiAgentDemo.js},
 * {@code AgentChat.js}) on {@code /api/ws/agent-tracking/{client_id}}, the client ids of its documents and tests
 * ({@code TESTING.md}), and what a dashboard relies on from {@code active_sessions}.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class AgentCraftClientsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** LocalCluster's RELAY_TOPIC_PARTITIONS. */
    private static final int PARTITIONS = 3;

    /** An id that the relay accepted before it took any id of safe characters. */
    private static final String SEED_CLIENT = "client_1700000000000_k3j9x2m1p";

    @Test
    void shouldAcceptTheClientIdsOfAgentCraftsDocuments(LocalCluster cluster) throws Exception {
        // The seed's `client_${Date.now()}`, TESTING.md's test-client, AgentChat.js's agent_chat_<ms>_<random>.
        for (String clientId : List.of("client_1642678200123", "test-client", "agent_chat_1642678200123_k3j9x2m1p")) {
            try (RawSocket client = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", clientId))) {
                await().atMost(WAIT).until(() -> client.types().contains("active_sessions"));
                assertThat(client.ofType("active_sessions").get(0).has("data")).as(clientId).isTrue();
            }
        }
    }

    @Test
    void shouldAnswerUnknownSessionsAndLogStreamingAsAgentCraftsServerDoes(LocalCluster cluster) throws Exception {
        try (RawSocket client = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", SEED_CLIENT))) {
            await().atMost(WAIT).until(() -> client.types().contains("active_sessions"));
            // TESTING.md's test_agent_status_updates, as Python's json.dumps writes it.
            client.send("{\"type\": \"get_session_state\", \"session_id\": \"test_session\"}");
            client.send("{\"type\": \"get_session_logs\", \"session_id\": \"test_session\"}");
            client.send("{\"type\": \"start_log_streaming\", \"session_id\": \"test_session\"}");
            client.send("{\"type\": \"stop_log_streaming\"}");
            await().atMost(WAIT).until(() -> client.types().containsAll(List.of("session_not_found", "session_logs",
                "log_streaming_started", "log_streaming_stopped")));
            assertThat(client.ofType("session_not_found").get(0).path("session_id").asText()).isEqualTo("test_session");
            JsonNode logs = client.ofType("session_logs").get(0);
            assertThat(logs.path("session_id").asText()).isEqualTo("test_session");
            assertThat(logs.path("logs").isArray()).isTrue();
            assertThat(logs.path("logs")).isEmpty();
            assertThat(client.ofType("log_streaming_started").get(0).path("session_id").asText())
                .isEqualTo("test_session");
            assertThat(client.types()).doesNotContain("error");
        }
    }

    @Test
    void shouldFillTheReactAppsPanelsFromASessionItNeverNamed(LocalCluster cluster) throws Exception {
        // MultiAgentDemo.js: `client_${Date.now()}_${Math.random().toString(36).substr(2, 9)}` on /api/ws/….
        try (RawSocket app = RawSocket.connect(uri(cluster, "/api/ws/agent-tracking/",
            "client_1700000000000_4fzyo82mv"))) {
            await().atMost(WAIT).until(() -> app.types().contains("active_sessions"));
            // handleSendMessage: JSON.stringify({ type: 'start_log_streaming', session_id: sessionId }).
            app.send("{\"type\":\"start_log_streaming\",\"session_id\":\"chat_1700000000001\"}");
            await().atMost(WAIT).until(() -> app.types().contains("log_streaming_started"));
            assertThat(app.ofType("log_streaming_started").get(0).path("session_id").asText())
                .isEqualTo("chat_1700000000001");

            HttpResponse<String> started = NexusPanelsIT.post(cluster, "/api/workflows",
                AgentCraftConformanceIT.webhookSession("react-session", 300), null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

            await().atMost(WAIT).until(() -> app.types().contains("session_complete"));
            JsonNode sessionStarted = app.ofType("session_started").get(0);
            assertThat(sessionStarted.path("session_id").asText()).isEqualTo("react-session");
            assertThat(sessionStarted.path("data").path("agent_names"))
                .extracting(JsonNode::asText).containsExactly("analyze", "answer");
            assertThat(sessionStarted.path("state").path("active_agents"))
                .extracting(agent -> agent.path("agent_name").asText()).containsExactly("analyze", "answer");
            await().atMost(WAIT).until(() -> app.types().contains("session_completed"));
            List<JsonNode> updates = app.ofType("agent_status_update");
            assertThat(updates).allSatisfy(update -> {
                assertThat(update.path("data").path("session_id").asText()).isEqualTo("react-session");
                assertThat(update.path("timestamp").isNumber()).isTrue();
                assertThat(update.path("data").path("status").asText()).isIn("PROCESSING", "FINISHED");
                assertThat(update.path("data").path("current_task").asText()).as("the step's tool")
                    .isIn("sleep", "echo");
                // AgentChat.js replaces its whole map of agents with each frame's state.active_agents.
                assertThat(update.path("state").path("active_agents"))
                    .as("every agent of the session, in %s", update)
                    .extracting(agent -> agent.path("agent_name").asText()).containsExactly("analyze", "answer");
            });
            assertThat(updates).filteredOn(update -> update.path("data").path("agent_name").asText().equals("answer"))
                .extracting(update -> update.path("data").path("status").asText())
                .containsExactly("PROCESSING", "FINISHED");
            JsonNode finished = updates.get(updates.size() - 1);
            assertThat(finished.path("data").path("progress").asInt()).isEqualTo(100);
            assertThat(finished.path("state").path("active_agents"))
                .as("AgentChat.js colours the tracker's lower-case statuses")
                .extracting(agent -> agent.path("status").asText()).containsExactly("finished", "finished");
            assertThat(app.ofType("phase_update")).singleElement()
                .satisfies(phase -> assertThat(phase.path("data").path("phase").asText())
                    .isEqualTo("analyze → answer"));
            assertThat(app.ofType("crew_output")).extracting(output -> output.path("data").path("agent_name").asText())
                .containsExactly("analyze", "answer");
            assertThat(app.ofType("crew_output").get(1).path("data").path("content").asText())
                .contains("Check the webhook signature");
            assertThat(app.ofType("crewai_log")).extracting(log -> log.path("log").path("message").asText())
                .contains("Starting echo", "Session completed");
            assertThat(app.ofType("crewai_log")).allSatisfy(log ->
                assertThat(log.path("log").path("level").asText()).isIn("INFO", "WARNING", "ERROR"));
            assertThat(app.ofType("session_complete").get(0).path("data").path("session_id").asText())
                .isEqualTo("react-session");
            // MultiAgentDemo.js ends the session on session_complete, AgentChat.js marks every agent finished on
            // session_completed (the name AgentCraft's tracker sent): both, in that order.
            assertThat(app.types()).containsSubsequence("session_complete", "session_completed");
            assertThat(app.ofType("session_completed").get(0).path("session_id").asText()).isEqualTo("react-session");
            assertThat(app.types()).doesNotContain("error");
        }
    }

    @Test
    void shouldListASessionThatStartedAndEndedInOneReadOfTheStateTopic(EmbeddedKafka kafka, TopicPrefix prefix,
                                                                      @TempDir Path sandbox) throws Exception {
        String sessionId = "first-session";
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 1);
             RawSocket dashboard = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", SEED_CLIENT));
             RelayConnection canonical = cluster.connect(0);
             HeldTransaction slowCommit = HeldTransaction.onPartitionOf(kafka.bootstrapServers(),
                 new Topics(prefix.value()).state(), PARTITIONS, "workflow:" + sessionId)) {
            await().atMost(WAIT).until(() -> dashboard.types().contains("active_sessions"));

            HttpResponse<String> started = NexusPanelsIT.post(cluster, "/api/sessions",
                Json.object().put("query", "Say hello").put("session_id", sessionId), null);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            awaitCompleted(canonical, sessionId);
            // The relay now reads the session's start and end in one batch, as when both commit together.
            slowCommit.release();

            await().atMost(WAIT).until(() -> dashboard.ofType("active_sessions").stream()
                .anyMatch(frame -> listed(frame).contains(sessionId)));
            await().atMost(WAIT).until(() -> listed(last(dashboard.ofType("active_sessions"))).isEmpty());
        }
    }

    @Test
    void shouldListSessionsThatStartedAndEndedInOneReadOfTheStateTopicTogether(EmbeddedKafka kafka,
                                                                             TopicPrefix prefix,
                                                                             @TempDir Path sandbox) throws Exception {
        // Sessions on the held partition of the state topic, so that all their starts and ends are read in one batch.
        List<String> sessionIds = IntStream.range(0, 200).mapToObj(i -> "burst-" + i)
            .filter(id -> Partitions.forKey("workflow:" + id, PARTITIONS) == Partitions.forKey("workflow:held",
                PARTITIONS))
            .limit(4).toList();
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 1);
             RawSocket dashboard = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", SEED_CLIENT));
             RelayConnection canonical = cluster.connect(0);
             HeldTransaction slowCommit = HeldTransaction.onPartitionOf(kafka.bootstrapServers(),
                 new Topics(prefix.value()).state(), PARTITIONS, "workflow:held")) {
            await().atMost(WAIT).until(() -> dashboard.types().contains("active_sessions"));
            for (String sessionId : sessionIds) {
                assertThat(NexusPanelsIT.post(cluster, "/api/sessions",
                    Json.object().put("query", "Say hello").put("session_id", sessionId), null).statusCode())
                    .isEqualTo(202);
            }
            sessionIds.forEach(sessionId -> awaitCompleted(canonical, sessionId));
            int before = dashboard.ofType("active_sessions").size();
            slowCommit.release();

            await().atMost(WAIT).until(() -> dashboard.ofType("active_sessions").stream()
                .anyMatch(frame -> listed(frame).containsAll(sessionIds)));
            await().atMost(WAIT).until(() -> listed(last(dashboard.ofType("active_sessions"))).isEmpty());
            // One listing with the short sessions, one without: not one broadcast to every connection per session.
            await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() ->
                dashboard.ofType("active_sessions").size() - before == 2);
        }
    }

    @Test
    void shouldKeepLogStreamingWithinTheSubscriptionLimit(EmbeddedKafka kafka, TopicPrefix prefix,
                                                        @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_MAX_SUBSCRIPTIONS", "2"));
             RawSocket app = RawSocket.connect(uri(cluster, "/api/ws/agent-tracking/", SEED_CLIENT));
             RawSocket client = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", SEED_CLIENT))) {
            await().atMost(WAIT).until(() -> app.types().contains("active_sessions")
                && client.types().contains("active_sessions"));
            // The React app streams the logs of a new chat_<ms> id with every message it sends.
            for (int message = 1; message <= 3; message++) {
                app.send("{\"type\":\"start_log_streaming\",\"session_id\":\"chat_170000000000" + message + "\"}");
                client.send("{\"type\":\"start_log_streaming\",\"session_id\":\"chat_170000000000" + message
                    + "\"}");
            }
            await().atMost(WAIT).until(() -> app.ofType("log_streaming_started").size() == 3);
            assertThat(app.types()).as("global already carries every session's logs").doesNotContain("error");
            await().atMost(WAIT).until(() -> client.types().contains("error"));
            assertThat(client.ofType("log_streaming_started")).hasSize(2);
            assertThat(client.ofType("error").get(0).path("message").asText()).contains("at most 2 channels");
        }
    }

    @Test
    void shouldListASessionsEndOnlyAfterItsLastAgentFrames(EmbeddedKafka kafka, TopicPrefix prefix,
                                                         @TempDir Path sandbox) throws Exception {
        String sessionId = "ordered-session";
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 1);
             RawSocket dashboard = RawSocket.connect(uri(cluster, "/ws/agent-tracking/", SEED_CLIENT));
             RelayConnection canonical = cluster.connect(0);
             HeldTransaction otherExecutor = HeldTransaction.onPartitionOf(kafka.bootstrapServers(),
                 new Topics(prefix.value()).events(Namespace.WORKFLOW), PARTITIONS, "workflow:" + sessionId)) {
            await().atMost(WAIT).until(() -> dashboard.types().contains("active_sessions"));
            ObjectNode workflow = Json.object().put("workflow_id", sessionId).put("prompt", "One step");
            workflow.putArray("nodes").addObject().put("id", "answer").put("tool", "echo").putObject("params")
                .put("message", "done");
            workflow.putArray("edges");
            assertThat(NexusPanelsIT.post(cluster, "/api/workflows", workflow, null).statusCode()).isEqualTo(202);
            dashboard.send("{\"type\":\"get_session_state\",\"session_id\":\"" + sessionId + "\"}");
            awaitCompleted(canonical, sessionId);
            // Another executor's transaction on the same event partition ends: the session's events follow it.
            otherExecutor.release();

            await().atMost(WAIT).until(() -> dashboard.ofType("agent_status").stream().anyMatch(frame ->
                frame.path("agent_name").asText().equals("Coordinator")
                    && frame.path("status").asText().equals("COMPLETED")));
            await().atMost(WAIT).until(() -> listed(last(dashboard.ofType("active_sessions"))).isEmpty()
                && dashboard.ofType("active_sessions").stream().anyMatch(frame -> listed(frame).contains(sessionId)));
            List<JsonNode> frames = dashboard.frames();
            int lastAgentFrame = -1;
            int endListed = -1;
            boolean listedBefore = false;
            for (int i = 0; i < frames.size(); i++) {
                JsonNode frame = frames.get(i);
                if (frame.path("type").asText().equals("agent_status")) {
                    lastAgentFrame = i;
                } else if (frame.path("type").asText().equals("active_sessions")) {
                    if (listed(frame).contains(sessionId)) {
                        listedBefore = true;
                    } else if (listedBefore && endListed < 0) {
                        endListed = i;
                    }
                }
            }
            assertThat(endListed).as("the listing without the session comes after its last agent frame, in %s",
                frames).isGreaterThan(lastAgentFrame);
        }
    }

    private static void awaitCompleted(RelayConnection canonical, String workflowId) {
        await().atMost(WAIT).until(() -> {
            try {
                return canonical.request("get_workflow_status", Json.object().put("workflow_id", workflowId))
                    .get(10, TimeUnit.SECONDS).data().path("status").asText().equals("completed");
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private static List<String> listed(JsonNode activeSessions) {
        return activeSessions.path("data").path("sessions").findValuesAsText("session_id");
    }

    private static JsonNode last(List<JsonNode> frames) {
        return frames.get(frames.size() - 1);
    }

    private static URI uri(LocalCluster cluster, String path, String clientId) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + path + clientId);
    }
}

package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The example flows of praxis-websocket-api.md and praxis-websocket-testing.md, with a plain JDK client. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class PraxisDialectIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void shouldStreamADslCommandFromProgressToItsResult() throws Exception {
        try (RawSocket praxis = connect("/ws/events?token=any")) {
            praxis.send("DSL_COMMAND",
                Json.object().put("command", "CALL write_file websocket_test.txt 'WebSocket DSL test'"), "dsl-1");

            await().atMost(WAIT).until(() -> praxis.types().contains("dslResult"));
            assertThat(praxis.types()).containsSubsequence("chatMessage", "dslProgress", "workflowStart",
                "nodeStatusUpdate", "nodeStatusUpdate", "workflowComplete", "dslResult");
            JsonNode result = praxis.ofType("dslResult").get(0);
            assertThat(result.path("payload").path("success").asBoolean()).isTrue();
            assertThat(result.path("timestamp").asText()).isNotBlank();
            assertThat(result.path("id").asText()).isNotBlank();
            assertThat(praxis.ofType("nodeStatusUpdate")).extracting(f -> f.path("payload").path("status").asText())
                .containsExactly("running", "success");
            assertThat(Files.readString(cluster.sandbox().resolve("websocket_test.txt"))).isEqualTo("WebSocket DSL test");
        }
    }

    @Test
    void shouldExecuteAWorkflowOnTheLegacyEndpoint() throws Exception {
        try (RawSocket praxis = connect("/ws/workflow")) {
            ObjectNode workflow = Json.object().put("workflowId", "ws-workflow-123");
            workflow.putArray("nodes").addObject().put("id", "node1").put("type", "tool_call").put("tool", "write_file")
                .putObject("params").put("filename", "workflow_test.txt").put("content", "Workflow via WebSocket");
            workflow.putArray("edges");

            praxis.send("EXECUTE_WORKFLOW", workflow, "run-1");

            await().atMost(WAIT).until(() -> praxis.types().contains("workflowComplete"));
            JsonNode start = praxis.ofType("workflowStart").get(0).path("payload");
            assertThat(start.path("workflowId").asText()).isEqualTo("ws-workflow-123");
            assertThat(start.path("nodes").get(0).path("id").asText()).isEqualTo("node1");
            assertThat(praxis.ofType("workflowProgress").get(0).path("payload").path("progress").asInt()).isEqualTo(100);
            JsonNode complete = praxis.ofType("workflowComplete").get(0).path("payload");
            assertThat(complete.path("results").path("node1").path("filename").asText()).isEqualTo("workflow_test.txt");
            assertThat(Files.readString(cluster.sandbox().resolve("workflow_test.txt"))).isEqualTo("Workflow via WebSocket");
        }
    }

    @Test
    void shouldAnswerChatWithAssistantMessagesAndToolResults() throws Exception {
        try (RawSocket praxis = connect("/ws/events")) {
            praxis.send("CHAT_MESSAGE", Json.object()
                .put("content", "Create a file called chat_test.txt with content 'Hello from chat'")
                .put("sender", "user"), "chat-1");
            praxis.send("CHAT_MESSAGE", Json.object().put("content", "Tell me a joke"), "chat-2");

            await().atMost(WAIT).untilAsserted(() -> assertThat(praxis.types()).as(praxis.frames().toString())
                .filteredOn(type -> type.equals("chatMessage")).hasSizeGreaterThanOrEqualTo(4));
            await().atMost(WAIT).until(() -> !praxis.ofType("tool_result").isEmpty());
            JsonNode toolResult = praxis.ofType("tool_result").get(0).path("payload");
            assertThat(toolResult.path("toolName").asText()).isEqualTo("write_file");
            assertThat(toolResult.path("status").asText()).isEqualTo("completed");
            assertThat(toolResult.path("sender").asText()).isEqualTo("assistant");
            List<JsonNode> chat = praxis.ofType("chatMessage");
            assertThat(chat.get(0).path("payload").path("sender").asText()).as("the greeting").isEqualTo("system");
            assertThat(chat.subList(1, chat.size())).allSatisfy(f ->
                assertThat(f.path("payload").path("sender").asText()).isEqualTo("assistant"));
            assertThat(praxis.ofType("chatMessage")).anySatisfy(f ->
                assertThat(f.path("payload").path("content").asText()).contains("I can create a file"));
            await().atMost(WAIT).until(() -> Files.exists(cluster.sandbox().resolve("chat_test.txt")));
            assertThat(Files.readString(cluster.sandbox().resolve("chat_test.txt"))).isEqualTo("Hello from chat");
        }
    }

    @Test
    void shouldAnswerEveryKindOfPingWithPong() throws Exception {
        try (RawSocket praxis = connect("/ws/events")) {
            praxis.send("PING", Json.object(), "ping-123");
            praxis.send("ping", Json.object().put("connection_id", 0), "p2");
            praxis.send("heartbeat", Json.object().put("sequence", 0), "h1");

            await().atMost(WAIT).until(() -> praxis.ofType("PONG").size() == 3);
            assertThat(praxis.ofType("PONG")).extracting(f -> f.path("correlation_id").asText())
                .containsExactly("ping-123", "p2", "h1");
            assertThat(praxis.ofType("PONG")).allSatisfy(f ->
                assertThat(f.path("payload").path("timestamp").asText()).isNotBlank());
        }
    }

    @Test
    void shouldFilterEventsByTypeUnderEitherName() throws Exception {
        try (RawSocket praxis = connect("/ws/events")) {
            praxis.send("UNSUBSCRIBE_EVENTS", Json.object().set("event_types",
                Json.tree(List.of("nodeStatusUpdate", "workflow.progress", "TASK_PROGRESS"))), "u1");
            praxis.send("EXECUTE_WORKFLOW", Workflows.echo("wf-filtered", "quiet"), "run-2");
            await().atMost(WAIT).until(() -> praxis.types().contains("workflowComplete"));

            assertThat(praxis.types()).doesNotContain("nodeStatusUpdate", "workflowProgress").contains("workflowStart");
        }
    }

    @Test
    void shouldAnswerBadInputInPraxissErrorFormatAndCloseAfterTenErrors() throws Exception {
        try (RawSocket praxis = connect("/ws/events")) {
            praxis.send("{\"type\": \"invalid\", \"malformed\": json}");
            praxis.send("NONEXISTENT_MESSAGE_TYPE", Json.object().put("test", "invalid message type"), "bad-1");

            await().atMost(WAIT).until(() -> praxis.ofType("error").size() == 2);
            JsonNode parse = praxis.ofType("error").get(0).path("payload");
            assertThat(parse.path("message").asText()).startsWith("Invalid message format");
            assertThat(parse.path("code").asText()).isEqualTo("PARSE_ERROR");
            assertThat(parse.path("timestamp").asText()).isNotBlank();
            JsonNode unknown = praxis.ofType("error").get(1);
            assertThat(unknown.path("payload").path("code").asText()).isEqualTo("UNKNOWN_REQUEST");
            assertThat(unknown.path("correlation_id").asText()).isEqualTo("bad-1");

            for (int i = 0; i < 9; i++) {
                praxis.send("not json " + i);
            }
            assertThat(praxis.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
        }
    }

    @Test
    void shouldLetAMahavishnuClientAndAPraxisClientWatchTheSameWorkflow() throws Exception {
        RelayConnection mahavishnu = RelayConnection.connect(URI.create(
            "ws://127.0.0.1:" + cluster.relay(0).port() + "/"), Duration.ofSeconds(10));
        try (mahavishnu; RawSocket praxis = connect("/ws/events")) {
            Frames frames = new Frames();
            mahavishnu.addListener(frames);
            mahavishnu.subscribe("workflow:wf-shared-dialects").get(10, TimeUnit.SECONDS);

            ObjectNode workflow = Workflows.diamond("wf-shared-dialects");
            workflow.put("workflowId", workflow.remove("workflow_id").asText());
            praxis.send("EXECUTE_WORKFLOW", workflow, "run-3");

            await().atMost(WAIT).until(() -> praxis.types().contains("workflowComplete")
                && frames.eventNames("workflow:wf-shared-dialects").contains("workflow.completed"));
            assertThat(frames.events("workflow:wf-shared-dialects")).extracting(Envelope::event)
                .contains("workflow.started", "workflow.stage_completed", "workflow.completed");
            assertThat(praxis.types()).contains("workflowStart", "nodeStatusUpdate", "workflowComplete");
        }
    }

    @Test
    void shouldRefuseConnectionsPastTheLimitWith1008AndDropClientsThatStopPinging(
        EmbeddedKafka kafka, @TempDir Path otherSandbox) throws Exception {
        try (LocalCluster small = LocalCluster.start(kafka.bootstrapServers(), new TopicPrefix("praxis-limits"),
                 otherSandbox, 1, Map.of("RELAY_MAX_CONNECTIONS", "1", "RELAY_PRAXIS_HEARTBEAT_MS", "300"));
             RawSocket first = RawSocket.connect(URI.create("ws://127.0.0.1:" + small.relay(0).port() + "/ws/events"));
             RawSocket second = RawSocket.connect(URI.create("ws://127.0.0.1:" + small.relay(0).port() + "/ws/events"))) {

            assertThat(second.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            first.send("{\"type\":\"PING\",\"payload\":{}}");
            RelayConnection.CloseStatus silent = first.closed().get(10, TimeUnit.SECONDS);
            assertThat(silent.code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            assertThat(silent.reason()).startsWith("heartbeat timeout");
        }
    }

    private RawSocket connect(String path) throws Exception {
        RawSocket socket = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + path));
        await().atMost(WAIT).until(() -> socket.types().contains("chatMessage"));
        return socket;
    }
}

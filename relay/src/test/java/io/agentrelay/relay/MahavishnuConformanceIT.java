package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The request and response examples of mahavishnu-websocket-api.md, sent as written to {@code /} by a plain client. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class MahavishnuConformanceIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;
    private RawSocket client;

    @BeforeEach
    void start(LocalCluster cluster) throws Exception {
        this.cluster = cluster;
        client = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port()));
        await().atMost(WAIT).until(() -> !client.frames().isEmpty());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void shouldWelcomeWithTheDocumentedFields() {
        JsonNode welcome = client.frames().get(0);

        assertThat(welcome.path("type").asText()).isEqualTo("event");
        assertThat(welcome.path("event").asText()).isEqualTo("session.created");
        assertThat(welcome.path("data").path("connection_id").asText()).isNotBlank();
        assertThat(welcome.path("data").path("server").asText()).isNotBlank();
        assertThat(welcome.path("data").path("message").asText()).isNotBlank();
        assertThat(welcome.path("timestamp").asText()).isNotBlank();
    }

    @Test
    void shouldAnswerSubscribeAndUnsubscribeAsDocumented() throws Exception {
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"workflow:abc123\"},\"id\":\"sub_001\"}");
        client.send("{\"type\":\"request\",\"event\":\"unsubscribe\",\"data\":{\"channel\":\"workflow:abc123\"},\"id\":\"unsub_001\"}");
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"pool:local\"},\"id\":\"sub_002\"}");
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"worker:worker_001\"},\"id\":\"sub_003\"}");
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"global\"},\"id\":\"sub_004\"}");

        await().atMost(WAIT).until(() -> client.ofType("response").size() == 5);
        JsonNode subscribed = response("sub_001");
        assertThat(subscribed.path("event").asText()).isEqualTo("subscribe");
        assertThat(subscribed.path("data").path("status").asText()).isEqualTo("subscribed");
        assertThat(subscribed.path("data").path("channel").asText()).isEqualTo("workflow:abc123");
        JsonNode unsubscribed = response("unsub_001");
        assertThat(unsubscribed.path("event").asText()).isEqualTo("unsubscribe");
        assertThat(unsubscribed.path("data").path("status").asText()).isEqualTo("unsubscribed");
        assertThat(unsubscribed.path("data").path("channel").asText()).isEqualTo("workflow:abc123");
        for (String id : new String[] {"sub_002", "sub_003", "sub_004"}) {
            assertThat(response(id).path("data").path("status").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void shouldAnswerPoolAndWorkflowStatusAsDocumented() throws Exception {
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"workflow:wf_abc123\"},\"id\":\"s\"}");
        await().atMost(WAIT).until(() -> client.ofType("response").size() == 1);
        client.send(Json.toText(Json.object().put("type", "request").put("event", "execute_workflow").put("id", "run")
            .set("data", Workflows.diamond("wf_abc123").put("adapter", "llamaindex").put("prompt", "Write code"))));
        await().atMost(WAIT).until(() -> client.frames().stream()
            .anyMatch(f -> "workflow.completed".equals(f.path("event").asText())));

        client.send("{\"type\":\"request\",\"event\":\"get_pool_status\",\"data\":{\"pool_id\":\"" + cluster.poolId()
            + "\"},\"id\":\"get_pool_001\"}");
        client.send("{\"type\":\"request\",\"event\":\"get_workflow_status\",\"data\":{\"workflow_id\":\"wf_abc123\"},\"id\":\"get_wf_001\"}");

        await().atMost(WAIT).until(() -> hasAnswer("get_pool_001") && hasAnswer("get_wf_001"));
        JsonNode pool = response("get_pool_001");
        assertThat(pool.path("event").asText()).isEqualTo("get_pool_status");
        assertThat(pool.path("data").path("pool_id").asText()).isEqualTo(cluster.poolId());
        assertThat(pool.path("data").path("status").asText()).isEqualTo("active");
        assertThat(pool.path("data").path("workers").get(0).asText()).isEqualTo("executor-0");
        JsonNode workflow = response("get_wf_001");
        assertThat(workflow.path("data").path("workflow_id").asText()).isEqualTo("wf_abc123");
        assertThat(workflow.path("data").path("status").asText()).isEqualTo("completed");
        assertThat(workflow.path("data").path("stages_completed").asInt()).isEqualTo(4);
        assertThat(workflow.path("data").path("total_stages").asInt()).isEqualTo(4);

        JsonNode started = client.frames().stream()
            .filter(f -> "workflow.started".equals(f.path("event").asText())).findFirst().orElseThrow();
        assertThat(started.path("room").asText()).isEqualTo("workflow:wf_abc123");
        assertThat(started.path("data").path("adapter").asText()).isEqualTo("llamaindex");
        assertThat(started.path("data").path("prompt").asText()).isEqualTo("Write code");
        JsonNode stage = client.frames().stream()
            .filter(f -> "workflow.stage_completed".equals(f.path("event").asText())).findFirst().orElseThrow();
        assertThat(stage.path("data").path("stage_name").asText()).isNotBlank();
        assertThat(stage.path("data").path("result").has("output")).isTrue();
        assertThat(stage.path("data").path("result").path("duration_ms").isNumber()).isTrue();
    }

    @Test
    void shouldAnswerErrorsWithTheDocumentedCodesAndFormat() throws Exception {
        client.send("{\"type\":\"request\",\"event\":\"launch_rockets\",\"data\":{},\"id\":\"e1\"}");
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"planet:mars\"},\"id\":\"e2\"}");
        client.send("{\"type\":\"request\",\"event\":\"get_workflow_status\",\"data\":{\"workflow_id\":\"wf_none\"},\"id\":\"e3\"}");

        await().atMost(WAIT).until(() -> client.ofType("error").size() == 3);
        assertThat(client.ofType("error")).extracting(e -> e.path("correlation_id").asText() + " "
            + e.path("error_code").asText()).containsExactlyInAnyOrder(
                "e1 UNKNOWN_REQUEST", "e2 INVALID_CHANNEL", "e3 NOT_FOUND");
        assertThat(client.ofType("error")).allSatisfy(e -> assertThat(e.path("error_message").asText()).isNotBlank());
    }

    @Test
    void shouldTellAnMcpCommonRequesterThatItsWorkflowIdAlreadyRan() throws Exception {
        // mcp-common's WebSocketClient.send_request: WebSocketMessage.model_dump_json(), matched by its id.
        String first = """
            {"id":"0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0001","correlation_id":"7d1e5c1a-8f0e-4c1b-a3c5-5e2f0c9b0001",\
            "type":"request","event":"execute_workflow","data":{"workflow_id":"wf_mcp_once","nodes":[{"id":"a",\
            "tool":"echo","params":{"message":"first"}}]},"timestamp":"2026-02-10T12:00:00.000001","room":null,\
            "error_code":null,"error_message":null}""";
        client.send("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"workflow:wf_mcp_once\"},"
            + "\"id\":\"sub_workflow:wf_mcp_once\"}");
        await().atMost(WAIT).until(() -> hasAnswer("sub_workflow:wf_mcp_once"));
        client.send(first);
        await().atMost(WAIT).until(() -> events("workflow.completed").size() == 1);

        client.send(first.replace("0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0001", "0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0002")
            .replace("\"first\"", "\"second\""));

        await().atMost(WAIT).until(() -> !events("workflow.failed").isEmpty() && client.ofType("response").stream()
            .anyMatch(f -> f.path("correlation_id").asText().equals("0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0002")));
        assertThat(response("0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0002").path("data").path("status").asText())
            .isEqualTo("accepted");
        JsonNode refused = events("workflow.failed").get(0);
        assertThat(refused.path("correlation_id").asText()).isEqualTo("0b6f1c2e-4f55-4d0b-9b8e-2f8c6a1d0002");
        assertThat(refused.path("data").path("workflow_id").asText()).isEqualTo("wf_mcp_once");
        assertThat(refused.path("data").path("error").asText())
            .isEqualTo("workflow 'wf_mcp_once' already exists; a request to run it again was refused");
        assertThat(refused.path("data").path("refused").asBoolean()).isTrue();
        assertThat(events("workflow.refused")).as("the channel's watchers hear of it, not of a failure").hasSize(1);
        assertThat(events("workflow.completed")).hasSize(1);
    }

    private List<JsonNode> events(String name) {
        return client.ofType("event").stream().filter(f -> name.equals(f.path("event").asText())).toList();
    }

    private boolean hasAnswer(String id) {
        return client.frames().stream().anyMatch(f -> id.equals(f.path("correlation_id").asText()));
    }

    private JsonNode response(String id) {
        return client.ofType("response").stream().filter(f -> id.equals(f.path("correlation_id").asText()))
            .findFirst().orElseThrow(() -> new AssertionError("no response to " + id + ": " + client.frames()));
    }
}

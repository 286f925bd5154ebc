package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The frames of the Praxis no-code builder (prxs-ai/praxis-nocode-builder), as its {@code lib/websocket-client.ts}
 * sends them: {@code transformToBackendFormat} keeps only {@code type} and {@code payload}, with payloads as
 * {@code components/workflow-builder.tsx} and {@code workflow-chat.tsx} build them.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class PraxisBuilderIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The builder's Execute button: React Flow nodes (an agent and a tool) and edges, with params and secrets. */
    private static final String BUILDER_EXECUTE = """
        {"type":"EXECUTE_WORKFLOW","payload":{"workflowId":"workflow_1732870000000","nodes":[\
        {"id":"agent-1732870000000-1","type":"agent","position":{"x":200,"y":150},"data":{"id":"agent-1732870000000-1",\
        "label":"Agent Node","description":"AI agent","status":"idle","type":"agent","config":{"name":"Agent Node",\
        "description":"AI agent","model":"gpt-4o","temperature":0.7,"maxTokens":2000,\
        "systemPrompt":"You are a helpful AI assistant."}},"width":220,"height":96,"selected":false,\
        "positionAbsolute":{"x":200,"y":150},"dragging":false},\
        {"id":"tool-1732870000000-1","type":"tool","position":{"x":550,"y":150},"data":{"id":"tool-1732870000000-1",\
        "label":"Tool Node","description":"Tool","status":"idle","type":"tool","source":"mcp_tools",\
        "toolId":"write_file","parameters":{"filename":"builder_test.txt","content":"Made in the builder"},\
        "inputMapping":{},"outputMapping":{}},"width":220,"height":96}],\
        "edges":[{"id":"reactflow__edge-agent-1732870000000-1-tool-1732870000000-1","source":"agent-1732870000000-1",\
        "target":"tool-1732870000000-1","type":"custom","data":{"label":"Uses Tools"}}],\
        "params":{},"secrets":{"API_KEY":"never-logged"},"metadata":{"name":"Interactive Workflow",\
        "description":"Workflow created and executed from UI","version":"1.0.0",\
        "createdAt":"2024-11-29T09:46:40.000Z"}}}""";

    /** workflow-chat.tsx's handleSendMessage for a text it takes for DSL (it names a "tool"). */
    private static final String CHAT_DSL = """
        {"type":"DSL_COMMAND","payload":{"command":"CALL write_file dsl_tool.txt 'written by the tool'",\
        "workflowId":"workflow_1732870000001","context":{"timestamp":1732870000001,"source":"chat"},\
        "params":{},"secrets":{}}}""";

    private LocalCluster cluster;

    @BeforeEach
    void start(LocalCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void shouldRunTheBuildersReactFlowNodesAndColourThemAsItDoes() throws Exception {
        try (RawSocket builder = connect()) {
            builder.send(BUILDER_EXECUTE);

            await().atMost(WAIT).until(() -> builder.types().contains("workflowComplete")
                || builder.types().contains("error"));
            assertThat(builder.types()).doesNotContain("error").contains("workflowStart");
            assertThat(builder.ofType("nodeStatusUpdate")).extracting(
                    f -> f.path("payload").path("nodeId").asText() + "=" + f.path("payload").path("status").asText())
                .contains("agent-1732870000000-1=running", "agent-1732870000000-1=success",
                    "tool-1732870000000-1=running", "tool-1732870000000-1=success");
            assertThat(builder.ofType("workflowComplete").get(0).path("payload").path("workflowId").asText())
                .isEqualTo("workflow_1732870000000");
            assertThat(Files.readString(cluster.sandbox().resolve("builder_test.txt"))).isEqualTo("Made in the builder");
        }
    }

    @Test
    void shouldReportAFailedNodeAsErrorWithAMessageTheBuilderShows() throws Exception {
        try (RawSocket builder = connect()) {
            builder.send("""
                {"type":"EXECUTE_WORKFLOW","payload":{"workflowId":"workflow_1732870000002","nodes":[\
                {"id":"tool-1","type":"tool","position":{"x":0,"y":0},"data":{"label":"Read","toolId":"read_file",\
                "parameters":{"filename":"no_such_file.txt"},"status":"idle"}}],"edges":[]}}""");

            await().atMost(WAIT).until(() -> builder.types().contains("workflowError"));
            assertThat(builder.ofType("nodeStatusUpdate")).extracting(f -> f.path("payload").path("status").asText())
                .containsExactly("running", "error");
            JsonNode failed = builder.ofType("workflowError").get(0).path("payload");
            assertThat(failed.path("message").asText()).isNotBlank().isEqualTo(failed.path("error").asText());
        }
    }

    @Test
    void shouldGiveTheDslResultTheBuildersGraphAndRunItFromTheChatsExecuteButton() throws Exception {
        try (RawSocket chat = connect()) {
            chat.send(CHAT_DSL);

            await().atMost(WAIT).until(() -> chat.types().contains("dslResult"));
            JsonNode result = chat.ofType("dslResult").get(0).path("payload");
            assertThat(result.path("success").asBoolean()).isTrue();
            assertThat(result.path("matchedAgents")).hasSize(1);
            assertThat(result.path("matchedAgents").get(0).path("agentName").asText()).isNotBlank();
            JsonNode drawn = result.path("workflowSuggestion").path("nodes").get(0);
            assertThat(drawn.path("position").isObject()).isTrue();
            assertThat(drawn.path("data").path("toolId").asText()).isEqualTo("write_file");
            assertThat(drawn.path("data").path("parameters").path("content").asText()).isEqualTo("written by the tool");
            assertThat(result.path("workflow").path("nodes")).isEqualTo(result.path("workflowSuggestion").path("nodes"));
            Files.delete(cluster.sandbox().resolve("dsl_tool.txt"));

            // The DSL result's Execute button: its workflow names no id, so JSON.stringify drops workflowId.
            ObjectNode execute = Json.object().put("type", "EXECUTE_WORKFLOW");
            ObjectNode payload = execute.putObject("payload");
            payload.set("workflow", result.path("workflow"));
            payload.putObject("params");
            payload.putObject("secrets");
            chat.send(Json.toText(execute));

            await().atMost(WAIT).until(() -> chat.ofType("workflowComplete").size() == 2
                || chat.types().contains("error"));
            assertThat(chat.types()).doesNotContain("error");
            assertThat(Files.readString(cluster.sandbox().resolve("dsl_tool.txt"))).isEqualTo("written by the tool");
        }
    }

    @Test
    void shouldRunTheWrappedWorkflowUnderItsOwnId() throws Exception {
        try (RawSocket chat = connect()) {
            chat.send("""
                {"type":"EXECUTE_WORKFLOW","payload":{"workflow":{"id":"wf_from_dsl","nodes":[{"id":"step-1",\
                "type":"tool","position":{"x":100,"y":150},"data":{"label":"echo","toolId":"echo",\
                "parameters":{"message":"wrapped"},"status":"idle"}}],"edges":[]},"workflowId":"wf_from_dsl",\
                "params":{},"secrets":{}}}""");

            await().atMost(WAIT).until(() -> chat.types().contains("workflowComplete") || chat.types().contains("error"));
            JsonNode complete = chat.ofType("workflowComplete").get(0).path("payload");
            assertThat(complete.path("workflowId").asText()).isEqualTo("wf_from_dsl");
            assertThat(complete.path("results").path("step-1").path("message").asText()).isEqualTo("wrapped");
        }
    }

    @Test
    void shouldRefuseAToolNodeWithNoToolPickedRatherThanReportItsSuccess() throws Exception {
        try (RawSocket builder = connect()) {
            // A tool node dragged from the node library, its tool never picked.
            builder.send("""
                {"type":"EXECUTE_WORKFLOW","payload":{"workflowId":"workflow_1732870000003","nodes":[\
                {"id":"tool-1732870000003-1","type":"tool","position":{"x":550,"y":150},"data":{\
                "id":"tool-1732870000003-1","label":"Tool Node","status":"idle","type":"tool"}}],"edges":[]}}""");

            await().atMost(WAIT).until(() -> builder.types().contains("error"));
            JsonNode error = builder.ofType("error").get(0).path("payload");
            assertThat(error.path("code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(error.path("message").asText()).contains("node 'tool-1732870000003-1'");
            assertThat(builder.types()).doesNotContain("workflowStart", "workflowComplete");
        }
    }

    @Test
    void shouldRefuseTheAgentsOnlyCanvasDrawnFromADslResult() throws Exception {
        try (RawSocket builder = connect()) {
            // What createWorkflowFromDSL draws from a dslResult without requiredMCPTools: an Orchestrator and the
            // matched agent. Running it would pass through both and report success having run no tool.
            builder.send("""
                {"type":"EXECUTE_WORKFLOW","payload":{"workflowId":"workflow_1732870000004","nodes":[\
                {"id":"agent-1","type":"agent","position":{"x":200,"y":150},"data":{"label":"Orchestrator Agent",\
                "description":"Local agent coordinating the workflow","status":"idle","agentName":"orchestrator",\
                "isOrchestrator":true}},\
                {"id":"agent-2","type":"agent","position":{"x":550,"y":150},"data":{"label":"agent-relay",\
                "status":"idle","agentName":"agent-relay","isP2PAgent":true}}],\
                "edges":[{"id":"edge-agent-1-agent-2","source":"agent-1","target":"agent-2","type":"custom",\
                "data":{"label":"P2P Request","isP2P":true}}],"params":{},"secrets":{}}}""");

            await().atMost(WAIT).until(() -> builder.types().contains("error"));
            JsonNode error = builder.ofType("error").get(0).path("payload");
            assertThat(error.path("code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(error.path("message").asText()).startsWith("no node runs a tool");
            assertThat(builder.types()).doesNotContain("workflowStart", "workflowComplete");
        }
    }

    @Test
    void shouldNameTheWrappedWorkflowsNodesWhenTheyAreMissing() throws Exception {
        try (RawSocket chat = connect()) {
            chat.send("{\"type\":\"EXECUTE_WORKFLOW\",\"payload\":{\"workflow\":{\"id\":\"wf_empty\",\"nodes\":[]}}}");

            await().atMost(WAIT).until(() -> chat.types().contains("error"));
            assertThat(chat.ofType("error").get(0).path("payload").path("message").asText())
                .isEqualTo("payload.workflow.nodes must be a non-empty array");
        }
    }

    @Test
    void shouldGreetWithASystemChatMessageAsPraxisDoes() throws Exception {
        try (RawSocket builder = connect()) {
            JsonNode greeting = builder.frames().get(0);
            assertThat(greeting.path("type").asText()).isEqualTo("chatMessage");
            assertThat(greeting.path("payload").path("sender").asText()).isEqualTo("system");
            assertThat(greeting.path("payload").path("type").asText()).isEqualTo("system");
            assertThat(greeting.path("payload").path("content").asText()).isNotBlank();
        }
    }

    private RawSocket connect() throws Exception {
        RawSocket socket = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/ws/workflow"));
        await().atMost(WAIT).until(() -> !socket.frames().isEmpty());
        return socket;
    }
}

package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.executor.mcp.McpConfig;
import io.agentrelay.executor.mcp.McpTools;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools of MCP servers run as workflow nodes, against the real reference server over stdio and streamable HTTP,
 * real executors and a real broker: results, progress, refusals before anything runs, a server that dies, an
 * executor that dies, and a cancel.
 */
@ExtendWith(KafkaExtension.class)
class McpToolsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path sandbox;
    @TempDir
    Path files;

    private final List<AutoCloseable> open = new ArrayList<>();
    private HandOverExecutors fleet;
    private CommittedEvents events;

    @AfterEach
    void stop() {
        // Each on its own: one that fails must not leave the later processes running.
        List<AutoCloseable> all = new ArrayList<>(open);
        if (fleet != null) {
            all.add(fleet);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (Exception e) {
                System.err.println("McpToolsIT: closing " + all.get(i) + " failed: " + e);
            }
        }
    }

    @Test
    void shouldRunTheServersToolsAsNodesWithTheirResultsAndProgressInOrder(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(null, null)));

        send(new ExecuteWorkflow("wf-mcp", List.of(
            node("sum", "everything/get-sum", Json.object().put("a", 2).put("b", 3)),
            node("echo", "everything/echo", Json.object().put("message", "hello")),
            node("long", "everything/trigger-long-running-operation", Json.object().put("duration", 1).put("steps", 4))),
            List.of()));

        await().atMost(WAIT).until(() -> events.has("wf-mcp", "workflow.completed", null));
        assertThat(result("wf-mcp", "sum").asText()).isEqualTo("The sum of 2 and 3 is 5.");
        assertThat(result("wf-mcp", "echo").asText()).isEqualTo("Echo: hello");
        List<Event> longNode = events.of("wf-mcp").stream()
            .filter(event -> "long".equals(event.data().path("node_id").asText())).toList();
        assertThat(longNode).extracting(Event::event)
            .containsExactly("node.started", "node.progress", "node.progress", "node.progress", "node.progress",
                "node.completed");
        assertThat(longNode).filteredOn(event -> event.event().equals("node.progress"))
            .extracting(event -> event.data().path("progress").asInt() + "/" + event.data().path("total").asInt())
            .containsExactly("1/4", "2/4", "3/4", "4/4");
    }

    @Test
    void shouldStartAStdioServerWithItsOwnEnvironmentAndNotTheExecutors(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        Path pidFile = files.resolve("env-pid");
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(pidFile, null)));

        send(new ExecuteWorkflow("wf-env", List.of(node("env", "everything/get-env", Json.object())), List.of()));

        await().atMost(WAIT).until(() -> events.has("wf-env", "workflow.completed", null));
        JsonNode seen = Json.readTree(result("wf-env", "env").asText());
        // What the executor has beyond the SDK's allow-list: RELAY_JWT_SECRET and the like in production.
        Set<String> executors = new HashSet<>(System.getenv().keySet());
        executors.removeAll(Set.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"));
        assertThat(executors).as("variables of the executor to look for").isNotEmpty();
        assertThat(seen.fieldNames()).toIterable().doesNotContainAnyElementsOf(executors);
        assertThat(seen.path("MCP_PID_FILE").asText()).isEqualTo(pidFile.toString());
        assertThat(seen.path("PATH").asText()).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void shouldListTheServersToolsWithTheBuiltInOnes(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(null, null)));

        Command query = command(new CommandPayload.ListTools(fleet.first().poolId()));
        fleet.send(query);

        await().atMost(WAIT).until(() -> !events.answers(query.requestId()).isEmpty());
        JsonNode tools = events.answers(query.requestId()).get(0).data().path("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(tool -> names.add(tool.path("name").asText()));
        assertThat(names).contains("echo", "sleep", "everything/get-sum", "everything/echo",
            "everything/trigger-long-running-operation");
        JsonNode sum = tools.get(names.indexOf("everything/get-sum"));
        assertThat(sum.path("description").asText()).isEqualTo("Returns the sum of two numbers");
        assertThat(sum.path("input_schema").path("properties").has("a")).isTrue();
        assertThat(sum.path("idempotent").asBoolean()).isTrue();
    }

    @Test
    void shouldCallAToolTheServerAddedAtRunTimeAndRefuseItOnceRemoved(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        McpTools mcp = tools(Map.of("changing", EverythingServer.changingTools()));
        fleet = new HandOverExecutors(kafka, prefix, sandbox, ToolRegistry.withPlugins(mcp), Namespace.WORKFLOW,
            Namespace.CONN);
        events = fleet.events();
        ExecuteWorkflow extra = new ExecuteWorkflow("wf-extra-1", List.of(
            node("extra", "changing/extra", Json.object())), List.of());

        send(extra);
        await().atMost(WAIT).until(() -> events.has("wf-extra-1", "workflow.failed", null));
        assertThat(error("wf-extra-1")).contains("unknown tool 'changing/extra'");

        send(new ExecuteWorkflow("wf-add", List.of(node("add", "changing/add-extra", Json.object())), List.of()));
        await("the server's notifications/tools/list_changed is heard").atMost(WAIT)
            .until(() -> mcp.find("changing/extra").isPresent());
        send(new ExecuteWorkflow("wf-extra-2", extra.nodes(), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-extra-2", "workflow.completed", null));
        assertThat(result("wf-extra-2", "extra").asText()).isEqualTo("extra ran");

        send(new ExecuteWorkflow("wf-remove", List.of(node("remove", "changing/remove-extra", Json.object())),
            List.of()));
        await().atMost(WAIT).until(() -> mcp.find("changing/extra").isEmpty());
        send(new ExecuteWorkflow("wf-extra-3", extra.nodes(), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-extra-3", "workflow.failed", null));
        assertThat(error("wf-extra-3")).contains("unknown tool 'changing/extra'");
    }

    @Test
    void shouldTreatAToolTheConfigurationListsAsIdempotentAsIdempotent() throws Exception {
        ObjectNode server = EverythingServer.stdio(null, null);
        server.putArray("idempotentTools").add("toggle-simulated-logging");
        McpTools mcp = tools(Map.of("everything", server, "plain", EverythingServer.stdio(null, null)));

        assertThat(mcp.find("everything/toggle-simulated-logging").orElseThrow().idempotent()).isTrue();
        assertThat(mcp.find("plain/toggle-simulated-logging").orElseThrow().idempotent()).isFalse();
        assertThat(mcp.find("plain/get-sum").orElseThrow().idempotent()).isTrue();
    }

    @Test
    void shouldRefuseParamsTheInputSchemaRefusesAndUnknownToolsBeforeAnyNodeRuns(EmbeddedKafka kafka,
                                                                                 TopicPrefix prefix) throws Exception {
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(null, null)));

        send(new ExecuteWorkflow("wf-schema", List.of(
            node("first", "everything/echo", Json.object().put("message", "never")),
            node("sum", "everything/get-sum", Json.object().put("a", "two").put("b", 3))), List.of()));
        send(new ExecuteWorkflow("wf-unknown", List.of(
            node("nope", "everything/no-such-tool", Json.object())), List.of()));

        await().atMost(WAIT).until(() -> events.has("wf-schema", "workflow.failed", null)
            && events.has("wf-unknown", "workflow.failed", null));
        assertThat(error("wf-schema")).contains("node 'sum' (everything/get-sum)", "input schema", "/a");
        assertThat(error("wf-unknown")).contains("unknown tool 'everything/no-such-tool'", "everything/get-sum");
        assertThat(events.of("wf-schema")).extracting(Event::event).doesNotContain("node.started");
    }

    @Test
    void shouldCallAServerOverStreamableHttpAndServeTheOtherToolsWhileAServerIsDown(EmbeddedKafka kafka,
                                                                                    TopicPrefix prefix)
        throws Exception {
        EverythingServer http = EverythingServer.http();
        open.add(http);
        start(kafka, prefix, Map.of(
            "web", Json.object().put("url", http.url()),
            "down", Json.object().put("url", "http://127.0.0.1:" + EverythingServer.freePort() + "/mcp")));

        send(new ExecuteWorkflow("wf-http", List.of(
            node("sum", "web/get-sum", Json.object().put("a", 40).put("b", 2)),
            node("long", "web/trigger-long-running-operation", Json.object().put("duration", 1).put("steps", 2)),
            node("local", "echo", Json.object().put("message", "built-in"))), List.of()));
        send(new ExecuteWorkflow("wf-down", List.of(
            node("call", "down/echo", Json.object().put("message", "hi"))), List.of()));

        await().atMost(WAIT).until(() -> events.has("wf-http", "workflow.completed", null)
            && events.has("wf-down", "workflow.failed", null));
        assertThat(result("wf-http", "sum").asText()).isEqualTo("The sum of 40 and 2 is 42.");
        assertThat(events.of("wf-http")).filteredOn(event -> event.event().equals("node.progress"))
            .extracting(event -> event.data().path("progress").asInt()).containsExactly(1, 2);
        assertThat(error("wf-down")).contains("MCP server 'down' is unavailable");
    }

    @Test
    void shouldFailFastWhileAnHttpServerIsDownAndCallItAgainOnceItIsBack(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        EverythingServer http = EverythingServer.http();
        start(kafka, prefix, Map.of("web", Json.object().put("url", http.url())));
        http.close();

        send(new ExecuteWorkflow("wf-gone", List.of(
            node("sum", "web/get-sum", Json.object().put("a", 1).put("b", 2))), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-gone", "workflow.failed", null));
        assertThat(error("wf-gone")).contains("MCP server 'web' is unavailable");
        send(new ExecuteWorkflow("wf-still-gone", List.of(
            node("sum", "web/get-sum", Json.object().put("a", 1).put("b", 2))), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-still-gone", "workflow.failed", null));
        assertThat(events.of("wf-still-gone")).filteredOn(event -> event.event().equals("node.failed"))
            .allSatisfy(event -> assertThat(event.data().path("duration_ms").asLong()).isLessThan(1_000));

        open.add(EverythingServer.http(http.port()));
        await().atMost(WAIT).until(() -> Pattern.compile("executor_mcp_server_up\\{[^}]*server=\"web\"} 1(\\.0)?\n")
            .matcher(metrics(fleet.executors().get(0))).find());
        send(new ExecuteWorkflow("wf-back", List.of(
            node("sum", "web/get-sum", Json.object().put("a", 1).put("b", 2))), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-back", "workflow.completed", null));
        assertThat(metrics(fleet.executors().get(0))).containsPattern(
            "executor_mcp_calls_seconds_count\\{[^}]*outcome=\"failed\",[^}]*server=\"web\",tool=\"get-sum\"} 2(\\.0)?\n")
            .containsPattern(
                "executor_mcp_calls_seconds_count\\{[^}]*outcome=\"completed\",[^}]*server=\"web\",tool=\"get-sum\"} 1(\\.0)?\n");
    }

    @Test
    void shouldOpenTheCircuitOfAnHttpServerThatStoppedAnsweringAndCloseItOnceTheServerIsBack(EmbeddedKafka kafka,
                                                                                            TopicPrefix prefix)
        throws Exception {
        EverythingServer http = EverythingServer.http();
        open.add(http);
        Duration nodeTimeout = Duration.ofSeconds(3);
        Map<String, ObjectNode> servers = Map.of("web", Json.object().put("url", http.url()));
        fleet = new HandOverExecutors(kafka, prefix, sandbox, ToolRegistry.withPlugins(tools(servers, nodeTimeout)),
            Map.of("EXECUTOR_NODE_TIMEOUT_MS", String.valueOf(nodeTimeout.toMillis())), Namespace.WORKFLOW,
            Namespace.CONN);
        events = fleet.events();
        ProcessHandle server = http.process();
        // Stopped, it still accepts connections (the kernel does) but answers nothing.
        signal("STOP", server);
        open.add(() -> signal("CONT", server));

        List<String> stuck = List.of("wf-stuck-1", "wf-stuck-2", "wf-stuck-3", "wf-stuck-4");
        for (String id : stuck) {
            send(new ExecuteWorkflow(id, List.of(node("sum", "web/get-sum", Json.object().put("a", 1).put("b", 2))),
                List.of()));
        }
        // Sent as soon as the breaker opens, well within the time it stays open, so that no half-open trial takes it.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(() -> circuitOpen(1).matcher(metrics(fleet.executors().get(0))).find());
        send(new ExecuteWorkflow("wf-refused", List.of(
            node("sum", "web/get-sum", Json.object().put("a", 1).put("b", 2))), List.of()));
        await().atMost(WAIT).until(() -> stuck.stream().allMatch(id -> events.has(id, "workflow.failed", null)));
        await().atMost(WAIT).until(() -> events.has("wf-refused", "workflow.failed", null));
        assertThat(error("wf-refused")).contains("MCP server 'web' is unavailable: its circuit breaker is open");
        // Below the 2.7 s call timeout with room for a loaded CI machine: refused, not waited out.
        assertThat(events.of("wf-refused")).filteredOn(event -> event.event().equals("node.failed"))
            .allSatisfy(event -> assertThat(event.data().path("duration_ms").asLong()).isLessThan(2_000));

        signal("CONT", server);
        await().atMost(WAIT).until(() -> circuitOpen(0).matcher(metrics(fleet.executors().get(0))).find()
            && Pattern.compile("executor_mcp_server_up\\{[^}]*server=\"web\"} 1(\\.0)?\n")
            .matcher(metrics(fleet.executors().get(0))).find());
        for (String id : List.of("wf-back", "wf-closed")) {
            send(new ExecuteWorkflow(id, List.of(node("sum", "web/get-sum", Json.object().put("a", 2).put("b", 2))),
                List.of()));
            await().atMost(WAIT).until(() -> events.has(id, "workflow.completed", null));
        }
        assertThat(metrics(fleet.executors().get(0))).containsPattern(circuitOpen(0));
    }

    @Test
    void shouldFailTheCallOfAStdioServerThatDiedAndRunTheNextOnceItIsRestarted(EmbeddedKafka kafka,
                                                                                TopicPrefix prefix) throws Exception {
        Path pid = files.resolve("server.pid");
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(pid, null)));

        send(longWorkflow("wf-killed", 20));
        await().atMost(WAIT).until(() -> events.has("wf-killed", "node.progress", "long"));
        ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElseThrow().destroyForcibly();

        await().atMost(WAIT).until(() -> events.has("wf-killed", "workflow.failed", null));
        assertThat(error("wf-killed")).contains("MCP server 'everything' exited during the call");
        send(new ExecuteWorkflow("wf-after", List.of(
            node("sum", "everything/get-sum", Json.object().put("a", 1).put("b", 1))), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-after", "workflow.completed", null));
        assertThat(result("wf-after", "sum").asText()).isEqualTo("The sum of 1 and 1 is 2.");
    }

    @Test
    void shouldFailTheCallOfAStdioServerThatStoppedAnsweringLongBeforeTheNodeTimeoutAndReplaceTheServer(
        EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        Path pid = files.resolve("server.pid");
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(pid, null)));

        send(longWorkflow("wf-wedged", 25));
        await().atMost(WAIT).until(() -> events.has("wf-wedged", "node.progress", "long"));
        ProcessHandle wedged = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElseThrow();
        // SIGKILL ends a stopped process too, and is harmless once it is gone.
        open.add(wedged::destroyForcibly);
        signal("STOP", wedged);

        await().atMost(WAIT).until(() -> events.has("wf-wedged", "workflow.failed", null));
        assertThat(error("wf-wedged")).contains("MCP server 'everything' stopped answering pings");
        // The node timeout is 30 s; the ping notices within its interval and timeout (the error says it was the ping),
        // and the bound leaves room for Kafka and a loaded machine.
        assertThat(events.of("wf-wedged")).filteredOn(event -> event.event().equals("node.failed"))
            .allSatisfy(event -> assertThat(event.data().path("duration_ms").asLong()).isLessThan(28_000));
        await("the stopped server is killed, not left behind").atMost(WAIT).until(() -> !wedged.isAlive());
        send(new ExecuteWorkflow("wf-after", List.of(
            node("sum", "everything/get-sum", Json.object().put("a", 2).put("b", 2))), List.of()));
        await().atMost(WAIT).until(() -> events.has("wf-after", "workflow.completed", null));
        assertThat(result("wf-after", "sum").asText()).isEqualTo("The sum of 2 and 2 is 4.");
    }

    @Test
    void shouldStopAStdioServerAndTheProcessesItStartedWhenTheToolsClose() throws Exception {
        Path pid = files.resolve("server.pid");
        Path helperPid = files.resolve("helper.pid");
        McpTools tools = tools(Map.of("everything", EverythingServer.stdioWithHelper(pid, helperPid)));
        assertThat(tools.tools()).extracting(tool -> tool.name()).contains("everything/get-sum");
        ProcessHandle server = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElseThrow();
        ProcessHandle helper = ProcessHandle.of(Long.parseLong(Files.readString(helperPid).trim())).orElseThrow();
        open.add(helper::destroyForcibly);
        assertThat(helper.parent()).contains(server);

        long started = System.nanoTime();
        tools.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        await("the server and the helper it started end").atMost(Duration.ofSeconds(5))
            .until(() -> !server.isAlive() && !helper.isAlive());
    }

    @Test
    void shouldTellTheServerACancelledWorkflowsCallIsCancelled(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        Path stdin = files.resolve("stdin.jsonl");
        start(kafka, prefix, Map.of("everything", EverythingServer.stdio(null, stdin)));

        send(longWorkflow("wf-cancel", 20));
        await().atMost(WAIT).until(() -> events.has("wf-cancel", "node.progress", "long"));
        fleet.send(command(new CommandPayload.CancelWorkflow("wf-cancel")));

        await().atMost(WAIT).until(() -> events.has("wf-cancel", "workflow.cancelled", null));
        await("the server was sent notifications/cancelled for the call").atMost(WAIT)
            .until(() -> cancelledCallOf(stdin) != null);
        assertThat(cancelledCallOf(stdin)).isEqualTo(callId(stdin));
        assertThat(events.of("wf-cancel")).extracting(Event::event).doesNotContain("node.completed");
    }

    @Test
    void shouldRunTheIdempotentCallAgainOnTheSuccessorOfAnExecutorThatDied(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        Map<String, ObjectNode> servers = Map.of("everything", EverythingServer.stdio(null, null));
        start(kafka, prefix, servers);

        send(longWorkflow("wf-taken", 3));
        await().atMost(WAIT).until(() -> events.has("wf-taken", "node.progress", "long"));
        fleet.executors().remove(0).abort();
        McpTools successor = tools(servers);
        fleet.executors().add(ExecutorNode.start(fleet.config("executor-2"), ToolRegistry.withPlugins(successor)));

        await().atMost(WAIT).until(() -> events.has("wf-taken", "workflow.completed", null));
        List<Event> seen = events.of("wf-taken");
        assertThat(seen).extracting(Event::event).containsOnlyOnce("workflow.started", "workflow.completed")
            .doesNotContain("workflow.failed", "node.failed");
        assertThat(seen).filteredOn(event -> event.event().equals("node.started"))
            .extracting(event -> event.data().path("attempt").asInt()).containsExactly(1, 2);
        assertThat(seen).filteredOn(event -> event.event().equals("node.completed")).hasSize(1);
        assertThat(result("wf-taken", "long").asText()).startsWith("Long running operation completed.");
    }

    private void start(EmbeddedKafka kafka, TopicPrefix prefix, Map<String, ObjectNode> servers) throws Exception {
        fleet = new HandOverExecutors(kafka, prefix, sandbox, ToolRegistry.withPlugins(tools(servers)),
            Namespace.WORKFLOW, Namespace.CONN);
        events = fleet.events();
    }

    private McpTools tools(Map<String, ObjectNode> servers) throws Exception {
        return tools(servers, Duration.ofSeconds(30));
    }

    /** The servers' tools for executors with this node timeout, as the executor starts them. */
    private McpTools tools(Map<String, ObjectNode> servers, Duration nodeTimeout) throws Exception {
        McpConfig config = EverythingServer.config(files, servers);
        McpTools tools = McpTools.start(config, nodeTimeout, ExecutorConfig.DEFAULT_MAX_OUTPUT_BYTES);
        open.add(tools);
        return tools;
    }

    private static Pattern circuitOpen(int open) {
        return Pattern.compile("executor_mcp_circuit_open\\{[^}]*server=\"web\"} " + open + "(\\.0)?\n");
    }

    /** Sends a process a signal such as STOP, which freezes it: it neither answers nor exits. */
    private static void signal(String signal, ProcessHandle process) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start()
            .waitFor()).isZero();
    }

    private static String metrics(ExecutorNode executor) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + executor.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static ExecuteWorkflow longWorkflow(String id, int seconds) {
        return new ExecuteWorkflow(id, List.of(node("long", "everything/trigger-long-running-operation",
            Json.object().put("duration", seconds).put("steps", seconds * 2))), List.of());
    }

    private static Node node(String id, String tool, JsonNode params) {
        return new Node(id, tool, params);
    }

    private JsonNode result(String workflowId, String nodeId) {
        return events.of(workflowId).stream()
            .filter(event -> event.event().equals("node.completed") && nodeId.equals(event.data().path("node_id").asText()))
            .findFirst().orElseThrow().data().path("result");
    }

    private String error(String workflowId) {
        return events.of(workflowId).stream().filter(event -> event.event().equals("workflow.failed")).findFirst()
            .orElseThrow().data().path("error").asText();
    }

    /** The JSON-RPC id of the server's {@code tools/call} request. */
    private static String callId(Path stdin) throws Exception {
        return messages(stdin).stream().filter(message -> "tools/call".equals(message.path("method").asText()))
            .findFirst().orElseThrow().path("id").asText();
    }

    /** The request id that a {@code notifications/cancelled} named, or null. */
    private static String cancelledCallOf(Path stdin) throws Exception {
        return messages(stdin).stream()
            .filter(message -> "notifications/cancelled".equals(message.path("method").asText()))
            .map(message -> message.path("params").path("requestId").asText()).findFirst().orElse(null);
    }

    private static List<JsonNode> messages(Path stdin) throws Exception {
        List<JsonNode> messages = new ArrayList<>();
        if (Files.exists(stdin)) {
            for (String line : Files.readAllLines(stdin)) {
                if (!line.isBlank()) {
                    messages.add(Json.readTree(line));
                }
            }
        }
        return messages;
    }

    private void send(ExecuteWorkflow workflow) throws Exception {
        fleet.send(command(workflow));
    }

    private static Command command(CommandPayload payload) {
        return new Command(UUID.randomUUID(), "r-" + UUID.randomUUID(), payload.target(),
            Channel.of(Namespace.CONN, "mcp-test"), Principal.ANONYMOUS, payload, Instant.now());
    }
}

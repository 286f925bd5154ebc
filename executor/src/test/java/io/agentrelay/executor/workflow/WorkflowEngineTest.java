package io.agentrelay.executor.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.NodeOutput;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.tool.ToolRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkflowEngineTest {

    @TempDir
    Path sandbox;

    private final RecordingSink sink = new RecordingSink();
    private WorkflowEngine engine;

    @BeforeEach
    void startEngine() {
        ExecutorConfig config = ExecutorConfig.fromEnv(Map.of(
            "EXECUTOR_SANDBOX_DIR", sandbox.toString(),
            "EXECUTOR_NODE_TIMEOUT_MS", "1000",
            "EXECUTOR_MAX_SLEEP_MS", "5000",
            "EXECUTOR_MAX_NODES", "5"));
        engine = new WorkflowEngine(config, ToolRegistry.of(List.of()), sink, NodeActivity.NONE, Snapshots.NONE,
            new SimpleMeterRegistry(), FollowUps.NONE);
    }

    @AfterEach
    void stopEngine() {
        engine.close();
    }

    @Test
    void shouldRunADiamondWithEachNodeAfterItsPredecessors() {
        start(new ExecuteWorkflow("wf-diamond", List.of(
            node("a", "echo", "message", "top"),
            node("b", "sleep", "ms", 50),
            node("c", "echo", "message", "right"),
            node("d", "echo", "message", "bottom")),
            List.of(new Edge("a", "b"), new Edge("a", "c"), new Edge("b", "d"), new Edge("c", "d"))));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));

        List<String> names = sink.names();
        assertThat(names.get(0)).isEqualTo("workflow.started");
        assertThat(names.get(names.size() - 1)).isEqualTo("workflow.completed");
        assertThat(indexOf("node.completed", "a")).isLessThan(indexOf("node.started", "b"));
        assertThat(indexOf("node.completed", "a")).isLessThan(indexOf("node.started", "c"));
        assertThat(indexOf("node.completed", "b")).isLessThan(indexOf("node.started", "d"));
        assertThat(indexOf("node.completed", "c")).isLessThan(indexOf("node.started", "d"));
        Event completed = sink.events().get(names.size() - 1);
        assertThat(completed.data().path("result").path("d").path("message").asText()).isEqualTo("bottom");
        assertThat(completed.data().path("result").path("b").path("slept_ms").asLong()).isEqualTo(50);
        assertThat(engine.status("wf-diamond")).hasValueSatisfying(status -> {
            assertThat(status.status()).isEqualTo("completed");
            assertThat(status.stagesCompleted()).isEqualTo(4);
        });
    }

    @Test
    void shouldRunIndependentNodesInParallel() {
        start(new ExecuteWorkflow("wf-parallel", List.of(
            node("x", "sleep", "ms", 300), node("y", "sleep", "ms", 300), node("z", "sleep", "ms", 300)),
            List.of()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));

        int firstCompleted = sink.names().indexOf("node.completed");
        assertThat(List.of(indexOf("node.started", "x"), indexOf("node.started", "y"), indexOf("node.started", "z")))
            .as("every sleep started before any finished")
            .allMatch(started -> started < firstCompleted);
    }

    @Test
    void shouldSkipDependentsOfAFailedNodeAndNameItInTheFailure() {
        start(new ExecuteWorkflow("wf-fail", List.of(
            node("a", "fail", "reason", "model unavailable"), node("b", "echo", "message", "never")),
            List.of(new Edge("a", "b"))));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.failed"));

        Event failed = sink.events().get(sink.events().size() - 1);
        assertThat(failed.data().path("error").asText()).isEqualTo("node 'a' failed: model unavailable");
        assertThat(failed.data().path("failed_node").asText()).isEqualTo("a");
        assertThat(sink.events()).noneMatch(e -> e.data().path("node_id").asText().equals("b"));
    }

    @Test
    void shouldFailANodeThatOutlivesItsTimeout() {
        start(new ExecuteWorkflow("wf-slow", List.of(node("slow", "sleep", "ms", 4_000)), List.of()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.failed"));

        assertThat(sink.events()).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("node.failed");
            assertThat(e.data().path("error").asText()).isEqualTo("timed out after 1000 ms");
        });
    }

    @Test
    void shouldRejectInvalidWorkflowsWithAClearReason() {
        assertThat(failureOf("wf-cycle", List.of(node("a", "echo", "message", "1"), node("b", "echo", "message", "2")),
            List.of(new Edge("a", "b"), new Edge("b", "a"))))
            .isEqualTo("workflow has a cycle through nodes [a, b]");
        assertThat(failureOf("wf-tool", List.of(node("a", "teleport", "to", "mars")), List.of()))
            .startsWith("node 'a' uses unknown tool 'teleport'; known tools: [echo, fail, read_file, sleep, write_file]");
        assertThat(failureOf("wf-escape", List.of(node("a", "write_file", "filename", "../escape.txt")), List.of()))
            .isEqualTo("node 'a' (write_file): filename '../escape.txt' must not contain '..'");
        assertThat(failureOf("wf-absolute", List.of(node("a", "read_file", "filename", "/etc/passwd")), List.of()))
            .isEqualTo("node 'a' (read_file): filename '/etc/passwd' must be relative to the sandbox");
        assertThat(failureOf("wf-field", List.of(new Node("a", "echo", Json.object())), List.of()))
            .isEqualTo("node 'a' (echo): missing field 'message'");
        assertThat(failureOf("wf-no-tool", List.of(new Node("a", null, null)), List.of()))
            .isEqualTo("node 'a' is missing field 'tool'");
        assertThat(failureOf("wf-edge", List.of(node("a", "echo", "message", "1")), List.of(new Edge("a", "zz"))))
            .isEqualTo("edge a -> zz names unknown node 'zz'");
        assertThat(failureOf("wf-big", List.of(node("a", "echo", "message", "1"), node("b", "echo", "message", "1"),
            node("c", "echo", "message", "1"), node("d", "echo", "message", "1"), node("e", "echo", "message", "1"),
            node("f", "echo", "message", "1")), List.of()))
            .isEqualTo("workflow has 6 nodes; at most 5 are allowed");
        assertThat(failureOf("wf-sleep", List.of(node("a", "sleep", "ms", 999_999)), List.of()))
            .isEqualTo("node 'a' (sleep): field 'ms' must be between 0 and 5000, but was 999999");
    }

    @Test
    void shouldWriteAndReadFilesInsideTheSandbox() throws Exception {
        ObjectNode write = Json.object().put("filename", "notes/hello.txt").put("content", "hello, sandbox");
        start(new ExecuteWorkflow("wf-files", List.of(
            new Node("w", "write_file", write), node("r", "read_file", "filename", "notes/hello.txt")),
            List.of(new Edge("w", "r"))));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));

        assertThat(Files.readString(sandbox.resolve("notes/hello.txt"))).isEqualTo("hello, sandbox");
        Event completed = sink.events().get(sink.events().size() - 1);
        assertThat(completed.data().path("result").path("r").path("content").asText()).isEqualTo("hello, sandbox");
    }

    @Test
    void shouldKeepASessionViewWithHandoffsLogsAndAgentStates() {
        start(new ExecuteWorkflow("wf-session", List.of(
            node("fetch", "echo", "message", "data"), node("summarize", "echo", "message", "summary")),
            List.of(new Edge("fetch", "summarize")), "session", "summarize the data"));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));

        Event handoff = sink.events().stream().filter(e -> e.event().equals("workflow.handoff")).findFirst()
            .orElseThrow();
        assertThat(handoff.data().path("from_node").asText()).isEqualTo("fetch");
        assertThat(handoff.data().path("to_node").asText()).isEqualTo("summarize");
        assertThat(sink.names().indexOf("workflow.handoff")).isLessThan(indexOf("node.started", "summarize"));
        assertThat(sink.names().get(sink.names().size() - 1)).isEqualTo("workflow.completed");

        assertThat(engine.sessionLogs("wf-session")).hasValueSatisfying(logs -> {
            assertThat(logs).extracting(line -> line.path("message").asText())
                .containsExactly("Session started with 2 steps", "Starting echo", "Completed in "
                    + logs.get(2).path("details").path("duration_ms").asLong() + " ms", "Starting echo",
                    "Completed in " + logs.get(4).path("details").path("duration_ms").asLong() + " ms",
                    "Session completed");
            assertThat(logs).extracting(line -> line.path("agent").asText())
                .containsExactly("coordinator", "fetch", "fetch", "summarize", "summarize", "coordinator");
        });
        assertThat(sink.events()).filteredOn(e -> e.event().equals("workflow.log")).hasSize(6);
        assertThat(engine.sessionState("wf-session")).hasValueSatisfying(state -> {
            assertThat(state.path("query").asText()).isEqualTo("summarize the data");
            assertThat(state.path("current_phase").asText()).isEqualTo("completed");
            assertThat(state.path("overall_progress").asInt()).isEqualTo(100);
            assertThat(state.path("active_agents")).extracting(agent -> agent.path("status").asText())
                .containsExactly("COMPLETED", "COMPLETED");
            assertThat(state.path("crew_output").get(1).path("output").path("message").asText()).isEqualTo("summary");
        });
    }

    @Test
    void shouldRefuseASecondWorkflowWithTheSameIdButNotRunARetriedCommandTwice() {
        ExecuteWorkflow workflow = new ExecuteWorkflow("wf-twice", List.of(node("a", "echo", "message", "1")), List.of());
        engine.execute(workflow, "command-1", "workflow:wf-twice");
        engine.execute(workflow, "command-1", "workflow:wf-twice");

        assertThatThrownBy(() -> engine.execute(workflow, "command-2", "workflow:wf-twice"))
            .isInstanceOf(RelayException.class)
            .hasMessage("workflow 'wf-twice' already exists; a request to run it again was refused");
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));
        assertThat(sink.names()).filteredOn("workflow.started"::equals).hasSize(1);
        assertThat(sink.events()).filteredOn(e -> e.event().equals("workflow.refused")).singleElement()
            .satisfies(e -> assertThat(e.data().path("reason").asText()).endsWith("a request to run it again was refused"));
        assertThat(sink.names()).as("watchers of the first run are not told it failed").doesNotContain("workflow.failed");
        assertThat(engine.status("wf-twice")).hasValueSatisfying(status ->
            assertThat(status.status()).as("the first run is left as it is").isEqualTo("completed"));
    }

    @Test
    void shouldCancelARunningWorkflowAndInterruptItsTool() {
        start(new ExecuteWorkflow("wf-cancel", List.of(node("long", "sleep", "ms", 4_000),
            node("after", "echo", "message", "never")), List.of(new Edge("long", "after"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("node.started"));

        assertThat(engine.cancel("wf-cancel", "no longer needed")).isTrue();

        assertThat(sink.names()).endsWith("workflow.cancelled");
        assertThat(sink.events().get(sink.events().size() - 1).data().path("reason").asText())
            .isEqualTo("no longer needed");
        await().atMost(Duration.ofSeconds(2)).until(() -> engine.runningWorkflows() == 0);
        assertThat(engine.cancel("wf-cancel", "again")).isFalse();
        assertThat(sink.names()).as("nothing after the end").endsWith("workflow.cancelled")
            .doesNotContain("node.completed");
        assertThat(engine.status("wf-cancel")).hasValueSatisfying(status ->
            assertThat(status.status()).isEqualTo("cancelled"));
        assertThatThrownBy(() -> engine.cancel("wf-unknown", "x")).isInstanceOf(RelayException.class)
            .hasMessage("workflow 'wf-unknown' is not known");
    }

    @Test
    void shouldFailAWorkflowThatMissesItsDeadline() {
        start(new ExecuteWorkflow("wf-deadline", List.of(node("long", "sleep", "ms", 3_000)), List.of(), null, null,
            300L));

        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.failed"));
        assertThat(sink.events().get(sink.events().size() - 1).data().path("error").asText())
            .isEqualTo("deadline of 300 ms passed");
    }

    @Test
    void shouldWriteEachStepWithTheWorkflowsSnapshot() throws Exception {
        start(new ExecuteWorkflow("wf-snap", List.of(node("a", "echo", "message", "1"), node("b", "echo", "message",
            "2")), List.of(new Edge("a", "b"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));

        List<WorkflowSnapshot> snapshots = new ArrayList<>();
        List<NodeOutput> outputs = new ArrayList<>();
        for (StateRecord record : sink.state()) {
            byte[] value = record.value().apply(List.of());
            if (record.key().equals(WorkflowSnapshot.key("wf-snap"))) {
                snapshots.add(Json.readerFor(WorkflowSnapshot.class).readValue(value));
            } else {
                outputs.add(Json.readerFor(NodeOutput.class).readValue(value));
            }
        }
        assertThat(snapshots)
            .extracting(snapshot -> snapshot.nodes().get("a").wireName() + "/" + snapshot.nodes().get("b").wireName())
            .containsExactly("pending/pending", "running/pending", "completed/pending", "completed/running",
                "completed/completed", "completed/completed");
        assertThat(snapshots.get(snapshots.size() - 1).status().wireName()).isEqualTo("completed");
        assertThat(snapshots).as("outputs are not repeated in every snapshot")
            .allSatisfy(snapshot -> assertThat(snapshot.results()).isEmpty());
        assertThat(outputs).as("each output is written once").extracting(output -> output.nodeId() + "="
            + output.output().path("message").asText()).containsExactly("a=1", "b=2");
        assertThat(snapshots).allSatisfy(snapshot -> assertThat(snapshot.commandId()).isEqualTo("command-wf-snap"));
    }

    @Test
    void shouldContinueATakenOverWorkflowOnlyOnceItsSnapshotCanBeRead() throws Exception {
        start(new ExecuteWorkflow("wf-taken", List.of(node("a", "echo", "message", "1"), node("b", "echo", "message",
            "2")), List.of(new Edge("a", "b"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));
        // The snapshot written when node a had completed: what a new owner finds after this executor died.
        WorkflowSnapshot afterA = null;
        for (StateRecord record : sink.state()) {
            if (!record.key().equals(WorkflowSnapshot.key("wf-taken"))) {
                continue;
            }
            WorkflowSnapshot snapshot = Json.readerFor(WorkflowSnapshot.class).readValue(record.value().apply(List.of()));
            if ("completed".equals(snapshot.nodes().get("a").wireName())
                && "pending".equals(snapshot.nodes().get("b").wireName())) {
                afterA = snapshot;
            }
        }
        assertThat(afterA).isNotNull();
        StateTopicAway store = new StateTopicAway(afterA);
        RecordingSink newOwnerSink = new RecordingSink();
        try (WorkflowEngine newOwner = new WorkflowEngine(ExecutorConfig.fromEnv(Map.of(
            "EXECUTOR_SANDBOX_DIR", sandbox.toString())), ToolRegistry.of(List.of()), newOwnerSink, NodeActivity.NONE,
            store, new SimpleMeterRegistry(), FollowUps.NONE)) {
            store.readable = false;
            assertThatThrownBy(() -> newOwner.resumeOwned(key -> true, "worker-2", Duration.ofMillis(10)))
                .isInstanceOf(RelayException.class).hasMessageContaining("cannot be read");
            assertThat(newOwnerSink.events()).as("nothing continued").isEmpty();

            store.readable = true;
            newOwner.resumeOwned(key -> true, "worker-2", Duration.ofMillis(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> newOwnerSink.has("workflow.completed"));
            assertThat(newOwnerSink.names()).doesNotContain("workflow.started")
                .containsSubsequence("node.started", "node.completed", "workflow.completed");
            assertThat(newOwnerSink.events()).filteredOn(e -> e.event().equals("node.started"))
                .extracting(e -> e.data().path("node_id").asText()).containsExactly("b");
        }
    }

    @Test
    void shouldCallAToolThatMayNotRunTwiceOnlyOnceItsStartIsCommitted() {
        List<String> calls = new CopyOnWriteArrayList<>();
        HeldStartsSink held = new HeldStartsSink();
        try (WorkflowEngine engine = new WorkflowEngine(ExecutorConfig.fromEnv(Map.of(
            "EXECUTOR_SANDBOX_DIR", sandbox.toString())), ToolRegistry.of(List.of(new CountingTool(calls, false))),
            held, NodeActivity.NONE, Snapshots.NONE, new SimpleMeterRegistry(), FollowUps.NONE)) {
            engine.execute(new ExecuteWorkflow("wf-once", List.of(node("a", "count", "x", 1)), List.of()),
                "command-wf-once", "workflow:wf-once");
            await().atMost(Duration.ofSeconds(10)).until(() -> held.has("node.started"));

            // A new owner that took over now would find node a pending and run it: it must not have run here.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(calls::isEmpty);
            held.commitHeld();
            await().atMost(Duration.ofSeconds(10)).until(() -> held.has("workflow.completed"));
            assertThat(calls).containsExactly("a");
        }
    }

    @Test
    void shouldEndATakenOverWorkflowWhoseToolIsUnavailableOnTheNewOwner() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (WorkflowEngine first = new WorkflowEngine(ExecutorConfig.fromEnv(Map.of(
            "EXECUTOR_SANDBOX_DIR", sandbox.toString())), ToolRegistry.of(List.of(new CountingTool(calls, true))),
            sink, NodeActivity.NONE, Snapshots.NONE, new SimpleMeterRegistry(), FollowUps.NONE)) {
            first.execute(new ExecuteWorkflow("wf-gone", List.of(node("a", "echo", "message", "1"),
                node("b", "count", "x", 2)), List.of(new Edge("a", "b"))), "command-wf-gone", "workflow:wf-gone");
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.has("workflow.completed"));
        }
        WorkflowSnapshot afterA = snapshotWith("wf-gone", "a", "completed", "b", "pending");
        RecordingSink newOwnerSink = new RecordingSink();
        StateTopicAway store = new StateTopicAway(afterA);
        store.readable = true;
        try (WorkflowEngine newOwner = new WorkflowEngine(ExecutorConfig.fromEnv(Map.of(
            "EXECUTOR_SANDBOX_DIR", sandbox.toString())), ToolRegistry.of(List.of(new UnavailableTool())),
            newOwnerSink, NodeActivity.NONE, store, new SimpleMeterRegistry(), FollowUps.NONE)) {
            newOwner.resumeOwned(key -> true, "worker-2", Duration.ofMillis(10));

            await().atMost(Duration.ofSeconds(10)).until(() -> newOwnerSink.has("workflow.failed"));
            assertThat(newOwnerSink.events()).filteredOn(e -> e.event().equals("node.failed"))
                .extracting(e -> e.data().path("error").asText()).containsExactly("the server is not connected yet");
        }
    }

    /** The last snapshot written of a workflow with two nodes in the given states. */
    private WorkflowSnapshot snapshotWith(String workflowId, String first, String firstState, String second,
                                          String secondState) throws Exception {
        WorkflowSnapshot found = null;
        for (StateRecord record : sink.state()) {
            if (!record.key().equals(WorkflowSnapshot.key(workflowId))) {
                continue;
            }
            WorkflowSnapshot snapshot = Json.readerFor(WorkflowSnapshot.class).readValue(record.value().apply(List.of()));
            if (firstState.equals(snapshot.nodes().get(first).wireName())
                && secondState.equals(snapshot.nodes().get(second).wireName())) {
                found = snapshot;
            }
        }
        assertThat(found).isNotNull();
        return found;
    }

    /** A tool named {@code count} that records the node ids it ran for. */
    private record CountingTool(List<String> calls, boolean idempotent) implements Tool {
        @Override
        public String name() {
            return "count";
        }

        @Override
        public JsonNode run(JsonNode params, ToolContext context) {
            calls.add(context.nodeId());
            return Json.object();
        }
    }

    /** The {@code count} tool of an executor whose server is not connected: refuses params and calls. */
    private record UnavailableTool() implements Tool {
        @Override
        public String name() {
            return "count";
        }

        @Override
        public void validate(JsonNode params, ToolContext context) throws ToolException {
            throw new ToolException("the server is not connected yet");
        }

        @Override
        public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
            throw new ToolException("the server is not connected yet");
        }
    }

    /** Commits every step at once except those with {@code node.started}, which wait for {@link #commitHeld}. */
    private static final class HeldStartsSink implements EventSink {
        private final RecordingSink recorded = new RecordingSink();
        private final List<CompletableFuture<List<Long>>> held = new CopyOnWriteArrayList<>();
        private volatile boolean holding = true;

        @Override
        public CompletableFuture<List<Long>> publishStep(List<Event> step, List<StateRecord> records,
                                                         Traceparent trace) {
            CompletableFuture<List<Long>> written = recorded.publishStep(step, records, trace);
            if (!holding || step.stream().noneMatch(e -> e.event().equals("node.started"))) {
                return written;
            }
            CompletableFuture<List<Long>> later = new CompletableFuture<>();
            held.add(later);
            return later;
        }

        void commitHeld() {
            holding = false;
            held.forEach(step -> step.complete(List.of()));
        }

        boolean has(String name) {
            return recorded.has(name);
        }
    }

    /** The committed snapshots of a state topic that cannot be read until {@link #readable} is set. */
    private static final class StateTopicAway implements Snapshots {
        private final WorkflowSnapshot running;
        private volatile boolean readable;

        StateTopicAway(WorkflowSnapshot running) {
            this.running = running;
        }

        @Override
        public void catchUp(Duration within) {
            if (!readable) {
                throw new RelayException(ErrorCode.UNAVAILABLE, "the state topic cannot be read right now");
            }
        }

        @Override
        public Optional<WorkflowSnapshot> workflow(String workflowId) {
            return Optional.of(running).filter(snapshot -> snapshot.sessionId().equals(workflowId));
        }

        @Override
        public List<WorkflowSnapshot> runningWorkflows() {
            return List.of(running);
        }
    }

    private void start(ExecuteWorkflow workflow) {
        engine.execute(workflow, "command-" + workflow.workflowId(), "workflow:" + workflow.workflowId());
    }

    private String failureOf(String workflowId, List<Node> nodes, List<Edge> edges) {
        start(new ExecuteWorkflow(workflowId, nodes, edges));
        Event failed = sink.events().stream()
            .filter(e -> e.channel().id().equals(workflowId) && e.event().equals("workflow.failed"))
            .findFirst().orElseThrow();
        assertThat(sink.events()).noneMatch(e -> e.channel().id().equals(workflowId) && e.event().equals("node.started"));
        return failed.data().path("error").asText();
    }

    private int indexOf(String event, String nodeId) {
        List<Event> events = sink.events();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).event().equals(event) && events.get(i).data().path("node_id").asText().equals(nodeId)) {
                return i;
            }
        }
        throw new AssertionError(event + " of " + nodeId + " not published: " + sink.names());
    }

    private static Node node(String id, String tool, String param, Object value) {
        ObjectNode params = Json.object();
        if (value instanceof Number number) {
            params.put(param, number.longValue());
        } else {
            params.put(param, value.toString());
        }
        return new Node(id, tool, params);
    }
}

package io.agentrelay.executor.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.common.state.NodeOutput;
import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One run of a {@link WorkflowGraph}: each node starts when all its predecessors completed, independent nodes run in
 * parallel on the tool pool, each within the node timeout. When a node fails, the nodes that depend on it never start;
 * the others finish, then the workflow fails naming the first failed node.
 *
 * <p>Each transition is one step, published with the run's snapshot in one transaction: the node's events, its log
 * line and the workflow's new state, so a new owner resumes exactly from what clients saw. Steps are published in
 * causal order: a node's {@code node.completed} before its successors' {@code node.started}, and every node event
 * before the workflow's final event. The final step also carries the run's {@link FollowUp}, if any, so that the
 * answer to the command that started it is published exactly when the run ends, by whichever executor ends it. A run
 * that is {@linkplain #stop() stopped} (its owner lost it) publishes nothing more; one that is cancelled or misses its
 * deadline publishes its end at once and nothing after.
 */
final class WorkflowRun implements KnownWorkflow {

    private final WorkflowGraph graph;
    private final EventSink sink;
    private final ExecutorService pool;
    private final RunSettings settings;
    private final NodeActivity activity;
    private final RunJournal journal;
    private final String ownerKey;
    private final String commandId;
    private final Instant startedAt;
    private final Instant deadline;
    private final Traceparent trace;
    private final FollowUp followUp;
    private final Map<String, NodeState> nodeStates = new LinkedHashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<String, Long> completionOrder = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> outputs = new ConcurrentHashMap<>();
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    private final AtomicLong completions = new AtomicLong();
    private final CompletableFuture<WorkflowOutcome> outcome = new CompletableFuture<>();
    private RunState runState = RunState.RUNNING;
    private String error;
    private boolean ended;
    private boolean unwritable;

    WorkflowRun(WorkflowGraph graph, EventSink sink, ExecutorService pool, RunSettings settings, NodeActivity activity,
                String ownerKey, String commandId, Instant startedAt, Traceparent trace, FollowUp followUp) {
        this.graph = graph;
        this.sink = sink;
        this.pool = pool;
        this.settings = settings;
        this.activity = activity;
        this.journal = new RunJournal(graph);
        this.ownerKey = ownerKey;
        this.commandId = commandId;
        this.startedAt = startedAt;
        this.trace = trace;
        this.followUp = followUp;
        Long deadlineMs = graph.workflow().deadlineMs();
        this.deadline = deadlineMs == null ? null : startedAt.plusMillis(deadlineMs);
        graph.order().forEach(node -> nodeStates.put(node.id(), NodeState.PENDING));
    }

    @Override
    public String ownerKey() {
        return ownerKey;
    }

    @Override
    public String commandId() {
        return commandId;
    }

    @Override
    public FollowUp followUp() {
        return followUp;
    }

    @Override
    public ExecuteWorkflow workflow() {
        return graph.workflow();
    }

    @Override
    public Optional<WorkflowOutcome> ending() {
        return outcome.isDone() && !outcome.isCompletedExceptionally() ? Optional.of(outcome.join()) : Optional.empty();
    }

    /** When it fails unless done, or null. */
    Instant deadline() {
        return deadline;
    }

    /** Completes with the outcome once the workflow's final step was published. */
    CompletableFuture<WorkflowOutcome> outcome() {
        return outcome;
    }

    /** Starts a new run: publishes {@code workflow.started} and schedules every node. */
    void start() {
        String workflowId = graph.workflowId();
        synchronized (this) {
            publish(List.of(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_STARTED,
                new WorkflowEvents.WorkflowStarted(workflowId, graph.order().size(), graph.workflow().nodes(),
                    graph.workflow().edges(), graph.workflow().adapter(), graph.workflow().prompt(),
                    settings.workerId(), trace.traceId())),
                journal.started()));
        }
        schedule(Set.of());
    }

    /**
     * Continues a run from its last committed snapshot on a new owner: completed nodes keep their results, nodes
     * that were running start again when their tool is idempotent and fail otherwise, the rest run as usual.
     *
     * @param snapshot the run's last committed state
     * @param workerId the executor taking it over
     */
    void resume(WorkflowSnapshot snapshot, String workerId) {
        Map<String, NodeState> before = snapshot.nodes();
        synchronized (this) {
            before.forEach((nodeId, state) -> {
                if (nodeStates.containsKey(nodeId) && state != NodeState.RUNNING) {
                    nodeStates.put(nodeId, state);
                }
            });
            outputs.putAll(snapshot.results());
            publish(List.of(journal.resumed(workerId)));
        }
        Set<String> interrupted = new HashSet<>();
        synchronized (this) {
            before.forEach((nodeId, state) -> {
                if (state == NodeState.RUNNING) {
                    interrupted.add(nodeId);
                    // The snapshot does not count attempts; this one is at least the second.
                    attempts.put(nodeId, 1);
                }
            });
        }
        schedule(interrupted);
    }

    private void schedule(Set<String> interrupted) {
        Map<String, CompletableFuture<JsonNode>> results = new HashMap<>();
        for (Node node : graph.order()) {
            NodeState state;
            synchronized (this) {
                state = nodeStates.get(node.id());
            }
            CompletableFuture<JsonNode> result;
            if (state == NodeState.COMPLETED) {
                result = CompletableFuture.completedFuture(outputs.get(node.id()));
            } else if (state == NodeState.FAILED) {
                result = CompletableFuture.failedFuture(new NodeFailure(node.id(), "failed before the hand-over"));
            } else {
                CompletableFuture<?>[] before = graph.predecessors(node.id()).stream()
                    .map(results::get).toArray(CompletableFuture[]::new);
                boolean again = interrupted.contains(node.id());
                result = CompletableFuture.allOf(before).thenCompose(ignored -> again && !graph.tool(node.id())
                    .idempotent() ? failUnknown(node) : runNode(node));
            }
            results.put(node.id(), result);
        }
        CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new))
            .handle((ignored, failure) -> {
                finish(results, failure);
                return null;
            });
    }

    private void finish(Map<String, CompletableFuture<JsonNode>> results, Throwable failure) {
        String workflowId = graph.workflowId();
        long durationMs = Duration.between(startedAt, Instant.now()).toMillis();
        Map<String, JsonNode> result = new LinkedHashMap<>();
        graph.order().forEach(node -> results.get(node.id()).thenAccept(value -> result.put(node.id(), value)));
        synchronized (this) {
            if (ended) {
                return;
            }
            if (failure == null) {
                end(new WorkflowOutcome(workflowId, true, result, null), RunState.COMPLETED,
                    WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_COMPLETED,
                        new WorkflowEvents.WorkflowCompleted(workflowId, result, durationMs)));
                return;
            }
            NodeFailure first = firstFailure(results);
            String reason = first == null ? "stopped" : "node '" + first.nodeId + "' failed: " + first.getMessage();
            end(new WorkflowOutcome(workflowId, false, result, reason), RunState.FAILED,
                WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_FAILED,
                    new WorkflowEvents.WorkflowFailed(workflowId, reason, first == null ? null : first.nodeId,
                        durationMs)));
        }
    }

    /**
     * Ends the run at once as cancelled: publishes {@code workflow.cancelled}, interrupts running tools, and
     * publishes nothing after.
     *
     * @param reason why
     * @return false when the run had already ended
     */
    synchronized boolean cancel(String reason) {
        if (ended) {
            return false;
        }
        String workflowId = graph.workflowId();
        end(new WorkflowOutcome(workflowId, false, Map.copyOf(outputs), reason), RunState.CANCELLED,
            WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_CANCELLED, new WorkflowEvents.WorkflowCancelled(
                workflowId, reason, Duration.between(startedAt, Instant.now()).toMillis())));
        interruptTools();
        return true;
    }

    /**
     * Fails the run at once because its deadline passed.
     */
    synchronized void expire() {
        if (ended) {
            return;
        }
        String workflowId = graph.workflowId();
        String reason = "deadline of " + graph.workflow().deadlineMs() + " ms passed";
        end(new WorkflowOutcome(workflowId, false, Map.copyOf(outputs), reason), RunState.FAILED,
            WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_FAILED, new WorkflowEvents.WorkflowFailed(
                workflowId, reason, null, Duration.between(startedAt, Instant.now()).toMillis())));
        interruptTools();
    }

    /**
     * Stops the run without a word: its owner lost it, and the new owner continues it from the last snapshot.
     */
    synchronized void stop() {
        ended = true;
        interruptTools();
        outcome.cancel(false);
    }

    @Override
    public synchronized RunState runState() {
        return runState;
    }

    @Override
    public synchronized WorkflowStatus status() {
        return WorkflowStatus.of(graph.workflowId(), runState, nodeStates, error);
    }

    @Override
    public ObjectNode sessionState() {
        RunState state;
        Map<String, NodeState> states;
        synchronized (this) {
            state = runState;
            states = Map.copyOf(nodeStates);
        }
        return journal.state(state, states, outputs);
    }

    @Override
    public ArrayNode logs() {
        return journal.logs();
    }

    /** Publishes the run's final step, with its follow-up, then completes its outcome. Called holding the lock. */
    private void end(WorkflowOutcome result, RunState ending, Event last) {
        ended = true;
        runState = ending;
        error = result.error();
        List<Event> step = new ArrayList<>(List.of(journal.ended(ending, error), last));
        step.addAll(settings.followUps().events(followUp, graph.workflow(), result));
        publish(step);
        outcome.complete(result);
    }

    private void interruptTools() {
        running.values().forEach(task -> task.cancel(true));
    }

    /** The predecessor whose completion let the node start: the one that completed last. */
    private Node handedOffBy(Node node) {
        return graph.predecessors(node.id()).stream()
            .max(Comparator.comparingLong(id -> completionOrder.getOrDefault(id, -1L)))
            .flatMap(id -> graph.order().stream().filter(candidate -> candidate.id().equals(id)).findFirst())
            .orElse(null);
    }

    private CompletableFuture<JsonNode> failUnknown(Node node) {
        String reason = "failed-unknown: its executor stopped while it ran, and '" + node.tool()
            + "' is not idempotent, so it was not run again";
        synchronized (this) {
            if (ended) {
                return CompletableFuture.failedFuture(new NodeFailure(node.id(), reason));
            }
            nodeStates.put(node.id(), NodeState.FAILED);
            publish(List.of(WorkflowEvents.event(graph.workflowId(), WorkflowEvents.NODE_FAILED,
                new WorkflowEvents.NodeFailed(graph.workflowId(), node.id(), reason, 0)), journal.nodeFailed(node,
                reason)));
        }
        return CompletableFuture.failedFuture(new NodeFailure(node.id(), reason));
    }

    private CompletableFuture<JsonNode> runNode(Node node) {
        String workflowId = graph.workflowId();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        CompletableFuture<?> startWritten;
        synchronized (this) {
            if (ended) {
                return CompletableFuture.failedFuture(new NodeFailure(node.id(), "the workflow ended"));
            }
            int attempt = attempts.merge(node.id(), 1, Integer::sum);
            nodeStates.put(node.id(), NodeState.RUNNING);
            List<Event> step = new ArrayList<>(journal.nodeStarted(node, handedOffBy(node), attempt));
            step.add(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_STARTED,
                new WorkflowEvents.NodeStarted(workflowId, node.id(), node.tool(), attempt, settings.workerId(),
                    trace.traceId())));
            startWritten = publish(step);
        }
        long started = System.nanoTime();
        activity.nodeStarted();
        NodeContext context = new NodeContext(workflowId, node.id(), settings.sandbox(), settings.maxSleep(),
            (done, total, message) -> {
                String note = done == null ? message : ToolContext.note(done, total, message);
                synchronized (this) {
                    // Once the node's outcome is decided (a timeout, say, while its MCP server still reports),
                    // progress would follow node.failed or node.completed.
                    if (!ended && !result.isDone()) {
                        sink.publishStep(List.of(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_PROGRESS,
                            new WorkflowEvents.NodeProgress(workflowId, node.id(), note, done, total)),
                            journal.nodeProgress(node, note)), List.of(), trace.child());
                    }
                }
            });
        Runnable submit = () -> {
            synchronized (this) {
                if (ended || result.isDone()) {
                    return;
                }
                running.put(node.id(), pool.submit(() -> {
                    trace.enter();
                    try {
                        result.complete(settings.limits().output(graph.tool(node.id()).run(node.params(), context)));
                    } catch (InterruptedException e) {
                        result.completeExceptionally(e);
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    } finally {
                        Traceparent.exit();
                    }
                }));
            }
        };
        if (graph.tool(node.id()).idempotent()) {
            submit.run();
        } else {
            // Only once node.started is committed: a new owner that finds the node pending after this executor died
            // runs it, so a tool that may not run twice must not have run yet. One that finds it running fails it.
            startWritten.whenComplete((offsets, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(new ToolException("node.started could not be written: "
                        + failure.getMessage()));
                } else {
                    submit.run();
                }
            });
        }
        return result.orTimeout(settings.nodeTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .handle((value, failure) -> {
                long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                activity.nodeFinished();
                Future<?> task = running.remove(node.id());
                if (failure instanceof TimeoutException && task != null) {
                    task.cancel(true);
                }
                Timer.builder("executor.node.duration").description("how long nodes ran, by tool and outcome")
                    .tag("tool", node.tool())
                    .tag("outcome", (failure == null ? NodeState.COMPLETED : NodeState.FAILED).wireName())
                    .register(settings.registry()).record(durationMs, TimeUnit.MILLISECONDS);
                synchronized (this) {
                    if (ended) {
                        throw new NodeFailure(node.id(), "the workflow ended");
                    }
                    if (failure == null) {
                        nodeCompleted(node, value, durationMs);
                        return value;
                    }
                    String reason = reason(failure);
                    nodeStates.put(node.id(), NodeState.FAILED);
                    publish(List.of(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_FAILED,
                        new WorkflowEvents.NodeFailed(workflowId, node.id(), reason, durationMs)),
                        journal.nodeFailed(node, reason)));
                    throw new NodeFailure(node.id(), reason);
                }
            });
    }

    /** Called holding the run's lock. */
    private void nodeCompleted(Node node, JsonNode value, long durationMs) {
        String workflowId = graph.workflowId();
        completionOrder.put(node.id(), completions.incrementAndGet());
        if (value != null) {
            outputs.put(node.id(), value);
        }
        nodeStates.put(node.id(), NodeState.COMPLETED);
        int stagesCompleted = WorkflowStatus.completed(nodeStates);
        publish(value == null ? List.of() : List.of(StateRecord.of(NodeOutput.key(workflowId, node.id()),
            new NodeOutput(workflowId, node.id(), value))), List.of(
            WorkflowEvents.event(workflowId, WorkflowEvents.NODE_COMPLETED,
                new WorkflowEvents.NodeCompleted(workflowId, node.id(), value, durationMs)),
            WorkflowEvents.event(workflowId, WorkflowEvents.STAGE_COMPLETED,
                new WorkflowEvents.StageCompleted(workflowId, node.id(),
                    new WorkflowEvents.StageResult(value, durationMs), stagesCompleted, nodeStates.size())),
            journal.nodeCompleted(node, durationMs)));
    }

    /** Publishes a step with the run's snapshot. Called holding the run's lock, so a run's steps keep their order. */
    private CompletableFuture<List<Long>> publish(List<Event> events) {
        return publish(List.of(), events);
    }

    /** @return the step's write, complete once it is committed */
    private CompletableFuture<List<Long>> publish(List<StateRecord> outputRecords, List<Event> events) {
        List<StateRecord> state = new ArrayList<>(outputRecords);
        state.add(StateRecord.of(WorkflowSnapshot.key(graph.workflowId()), snapshot(graph.workflow())));
        CompletableFuture<List<Long>> written = sink.publishStep(events, state, trace.child());
        written.exceptionally(failure -> {
            UnwritableStepException cause = UnwritableStepException.cause(failure);
            if (cause != null) {
                failUnwritable(cause.getMessage());
            }
            return null;
        });
        return written;
    }

    /**
     * Ends the run as failed because one of its steps can never be written (too large, not serializable, refused by
     * Kafka), in a step that can: without the workflow's definition, which a failed run no longer needs.
     */
    private synchronized void failUnwritable(String reason) {
        if (unwritable) {
            return;
        }
        unwritable = true;
        ended = true;
        runState = RunState.FAILED;
        error = reason;
        interruptTools();
        String workflowId = graph.workflowId();
        // Without outputs: they may be what could not be written.
        WorkflowOutcome result = new WorkflowOutcome(workflowId, false, Map.of(), reason);
        List<Event> step = new ArrayList<>(List.of(journal.ended(RunState.FAILED, reason), WorkflowEvents.event(workflowId,
            WorkflowEvents.WORKFLOW_FAILED, new WorkflowEvents.WorkflowFailed(workflowId, reason, null,
                Duration.between(startedAt, Instant.now()).toMillis()))));
        step.addAll(settings.followUps().events(followUp, null, result));
        sink.publishStep(step, List.of(StateRecord.of(WorkflowSnapshot.key(workflowId), snapshot(null))),
            trace.child());
        outcome.complete(result);
    }

    /** Outputs are not repeated here: each is written once, as a {@link NodeOutput} of the step it completed in. */
    private WorkflowSnapshot snapshot(ExecuteWorkflow definition) {
        int active = (int) nodeStates.values().stream().filter(NodeState.RUNNING::equals).count();
        return new WorkflowSnapshot(graph.workflowId(), journal.query(), runState, active, nodeStates.size(), startedAt,
            ownerKey, commandId, definition, nodeStates, Map.of(), error, deadline, trace.encode(), followUp);
    }

    private String reason(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "timed out after " + settings.nodeTimeout().toMillis() + " ms";
        }
        if (failure instanceof ToolException) {
            return failure.getMessage();
        }
        if (failure instanceof InterruptedException) {
            return "interrupted: the executor is stopping";
        }
        return "unexpected " + failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    /** The failure of the earliest node, in topological order, that failed itself rather than being skipped. */
    private NodeFailure firstFailure(Map<String, CompletableFuture<JsonNode>> results) {
        for (Node node : graph.order()) {
            try {
                results.get(node.id()).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof NodeFailure failure && failure.nodeId.equals(node.id())) {
                    return failure;
                }
            }
        }
        return null;
    }

    /**
     * What every run of an engine shares.
     *
     * @param nodeTimeout how long one node may run
     * @param sandbox     the file tools' directory
     * @param maxSleep    the longest deliberate wait
     * @param registry    where node durations go
     * @param followUps   makes the events of runs' follow-ups
     * @param limits      the largest output a node may return
     */
    record RunSettings(Duration nodeTimeout, Path sandbox, Duration maxSleep, MeterRegistry registry,
                       FollowUps followUps, SizeLimits limits, String workerId) {
    }

    private static final class NodeFailure extends RuntimeException {
        private final String nodeId;

        NodeFailure(String nodeId, String reason) {
            super(reason, null, false, false);
            this.nodeId = nodeId;
        }
    }
}

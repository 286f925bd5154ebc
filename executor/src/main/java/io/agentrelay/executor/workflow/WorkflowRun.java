package io.agentrelay.executor.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.executor.spi.ToolException;

/**
 * One run of a {@link WorkflowGraph}: each node starts when all its predecessors completed, independent nodes run in
 * parallel on the tool pool, each within the node timeout. When a node fails, the nodes that depend on it never start;
 * the others finish, then the workflow fails naming the first failed node.
 *
 * <p>Events of the run are published in causal order: a node's {@code node.completed} before its successors'
 * {@code node.started}, and every node event before the workflow's final event.
 */
final class WorkflowRun implements KnownWorkflow {

    private final WorkflowGraph graph;
    private final EventSink sink;
    private final ExecutorService pool;
    private final Duration nodeTimeout;
    private final Path sandbox;
    private final Duration maxSleep;
    private final NodeActivity activity;
    private final Map<String, String> nodeStates = new LinkedHashMap<>();
    private final Map<String, Long> completionOrder = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> outputs = new ConcurrentHashMap<>();
    private final AtomicLong completions = new AtomicLong();
    private final RunJournal journal;
    private volatile String runState = "running";
    private volatile String error;

    WorkflowRun(WorkflowGraph graph, EventSink sink, ExecutorService pool, Duration nodeTimeout, Path sandbox,
                Duration maxSleep, NodeActivity activity, SessionListener sessions) {
        this.graph = graph;
        this.journal = new RunJournal(graph, sink, sessions);
        this.sink = sink;
        this.pool = pool;
        this.nodeTimeout = nodeTimeout;
        this.sandbox = sandbox;
        this.maxSleep = maxSleep;
        this.activity = activity;
        graph.order().forEach(node -> nodeStates.put(node.id(), "pending"));
    }

    /**
     * Starts the run.
     *
     * @return completes with the outcome once the workflow's final event was published
     */
    CompletableFuture<WorkflowOutcome> start() {
        long started = System.nanoTime();
        String workflowId = graph.workflowId();
        sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_STARTED,
            new WorkflowEvents.WorkflowStarted(workflowId, graph.order().size(), graph.workflow().nodes(),
                graph.workflow().edges(), graph.workflow().adapter(), graph.workflow().prompt())));
        journal.started();

        Map<String, CompletableFuture<JsonNode>> results = new HashMap<>();
        for (Node node : graph.order()) {
            CompletableFuture<?>[] before = graph.predecessors(node.id()).stream()
                .map(results::get).toArray(CompletableFuture[]::new);
            results.put(node.id(), CompletableFuture.allOf(before).thenCompose(ignored -> runNode(node)));
        }
        return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new))
            .handle((ignored, failure) -> {
                long durationMs = millisSince(started);
                Map<String, JsonNode> result = new LinkedHashMap<>();
                graph.order().forEach(node -> results.get(node.id()).thenAccept(value -> result.put(node.id(), value)));
                if (failure == null) {
                    runState = "completed";
                    // The workflow's final event is the last on its channel: the journal's last line goes first.
                    journal.ended(true, null);
                    sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_COMPLETED,
                        new WorkflowEvents.WorkflowCompleted(workflowId, result, durationMs)));
                    return new WorkflowOutcome(workflowId, true, result, null);
                }
                NodeFailure first = firstFailure(results);
                error = "node '" + first.nodeId + "' failed: " + first.getMessage();
                runState = "failed";
                journal.ended(false, error);
                sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_FAILED,
                    new WorkflowEvents.WorkflowFailed(workflowId, error, first.nodeId, durationMs)));
                return new WorkflowOutcome(workflowId, false, result, error);
            });
    }

    @Override
    public synchronized WorkflowStatus status() {
        int completed = (int) nodeStates.values().stream().filter("completed"::equals).count();
        return new WorkflowStatus(graph.workflowId(), runState, completed, nodeStates.size(), nodeStates, error);
    }

    @Override
    public ObjectNode sessionState() {
        Map<String, String> states;
        synchronized (this) {
            states = Map.copyOf(nodeStates);
        }
        return journal.state(runState, states, outputs);
    }

    @Override
    public ArrayNode logs() {
        return journal.logs();
    }

    /** The predecessor whose completion let the node start: the one that completed last. */
    private Node handedOffBy(Node node) {
        return graph.predecessors(node.id()).stream()
            .max(Comparator.comparingLong(id -> completionOrder.getOrDefault(id, -1L)))
            .flatMap(id -> graph.order().stream().filter(candidate -> candidate.id().equals(id)).findFirst())
            .orElse(null);
    }

    private CompletableFuture<JsonNode> runNode(Node node) {
        String workflowId = graph.workflowId();
        setState(node.id(), "running");
        journal.nodeStarted(node, handedOffBy(node));
        sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_STARTED,
            new WorkflowEvents.NodeStarted(workflowId, node.id(), node.tool())));
        long started = System.nanoTime();
        activity.nodeStarted();
        CompletableFuture<JsonNode> outcome = new CompletableFuture<>();
        NodeContext context = new NodeContext(workflowId, node.id(), sandbox, maxSleep, message -> {
            sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_PROGRESS,
                new WorkflowEvents.NodeProgress(workflowId, node.id(), message)));
            journal.nodeProgress(node, message);
        });
        Future<?> task = pool.submit(() -> {
            try {
                outcome.complete(graph.tool(node.id()).run(node.params(), context));
            } catch (InterruptedException e) {
                outcome.completeExceptionally(e);
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome.orTimeout(nodeTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle((result, failure) -> {
                long durationMs = millisSince(started);
                activity.nodeFinished();
                if (failure == null) {
                    completionOrder.put(node.id(), completions.incrementAndGet());
                    if (result != null) {
                        outputs.put(node.id(), result);
                    }
                    int stagesCompleted = setState(node.id(), "completed");
                    sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_COMPLETED,
                        new WorkflowEvents.NodeCompleted(workflowId, node.id(), result, durationMs)));
                    sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.STAGE_COMPLETED,
                        new WorkflowEvents.StageCompleted(workflowId, node.id(),
                            new WorkflowEvents.StageResult(result, durationMs), stagesCompleted, nodeStates.size())));
                    journal.nodeCompleted(node, durationMs);
                    return result;
                }
                if (failure instanceof TimeoutException) {
                    task.cancel(true);
                }
                String reason = reason(failure);
                setState(node.id(), "failed");
                sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.NODE_FAILED,
                    new WorkflowEvents.NodeFailed(workflowId, node.id(), reason, durationMs)));
                journal.nodeFailed(node, reason);
                throw new NodeFailure(node.id(), reason);
            });
    }

    private String reason(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "timed out after " + nodeTimeout.toMillis() + " ms";
        }
        if (failure instanceof ToolException) {
            return failure.getMessage();
        }
        if (failure instanceof InterruptedException) {
            return "interrupted: the executor is stopping";
        }
        return "unexpected " + failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    /** Sets a node's state; returns how many nodes have completed. */
    private synchronized int setState(String nodeId, String state) {
        nodeStates.put(nodeId, state);
        return (int) nodeStates.values().stream().filter("completed"::equals).count();
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
        throw new IllegalStateException("workflow " + graph.workflowId() + " failed without a failed node");
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static final class NodeFailure extends RuntimeException {
        private final String nodeId;

        NodeFailure(String nodeId, String reason) {
            super(reason, null, false, false);
            this.nodeId = nodeId;
        }
    }
}

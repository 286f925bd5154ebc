package io.agentrelay.executor.workflow;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.config.ExecutorConfig;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.executor.tool.ToolRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the workflows this executor owns and remembers their status.
 *
 * <p>Thread-safe. Remembers the most recent {@value #RETAINED_WORKFLOWS} workflows; older ones are forgotten and
 * their status is then {@code NOT_FOUND}.
 */
public final class WorkflowEngine implements AutoCloseable {

    static final int RETAINED_WORKFLOWS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowEngine.class);

    private final ExecutorConfig config;
    private final ToolRegistry tools;
    private final EventSink sink;
    private final ExecutorService pool;
    private final NodeActivity activity;
    private final SessionListener sessions;
    private final Map<String, KnownWorkflow> workflows = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KnownWorkflow> eldest) {
            return size() > RETAINED_WORKFLOWS;
        }
    };

    /**
     * @param config the executor's settings: node limit, timeout, sandbox, threads
     * @param tools  the tools nodes may call
     * @param sink     where events go
     * @param activity told when nodes start and finish
     * @param sessions told when workflows, as sessions of agent work, start, change and end
     */
    public WorkflowEngine(ExecutorConfig config, ToolRegistry tools, EventSink sink, NodeActivity activity,
                          SessionListener sessions) {
        this.config = config;
        this.sessions = sessions;
        this.tools = tools;
        this.sink = sink;
        this.activity = activity;
        this.pool = Executors.newFixedThreadPool(config.threads(), new ToolThreads());
    }

    /**
     * Validates a workflow and starts it. An invalid workflow is not started: it ends at once in
     * {@code workflow.failed} with the reason, which its subscribers see like any other failure.
     *
     * @param workflow the workflow
     * @return completes with the outcome once the workflow's final event was published
     * @throws RelayException with {@link ErrorCode#INVALID_REQUEST} when a workflow of that id is already known
     */
    public CompletableFuture<WorkflowOutcome> execute(ExecuteWorkflow workflow) {
        String workflowId = workflow.workflowId();
        WorkflowGraph graph;
        try {
            graph = WorkflowGraph.of(workflow, tools, config.maxNodes(), NodeContext.forValidation(workflowId, config.sandboxDir(), config.maxSleep()));
        } catch (InvalidWorkflowException e) {
            LOG.info("Workflow {} is invalid: {}", workflowId, e.getMessage());
            remember(workflowId, new RefusedWorkflow(workflow, e.getMessage(), Instant.now()));
            sink.publish(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_FAILED,
                new WorkflowEvents.WorkflowFailed(workflowId, e.getMessage(), null, 0)));
            return CompletableFuture.completedFuture(new WorkflowOutcome(workflowId, false, Map.of(), e.getMessage()));
        }
        WorkflowRun run = new WorkflowRun(graph, sink, pool, config.nodeTimeout(), config.sandboxDir(),
            config.maxSleep(), activity, sessions);
        remember(workflowId, run);
        return run.start().whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.error("Workflow {} could not publish its final event", workflowId, failure);
            }
        });
    }

    /**
     * @param workflowId a workflow id
     * @return its status, if this executor ran it
     */
    public Optional<WorkflowStatus> status(String workflowId) {
        return known(workflowId).map(KnownWorkflow::status);
    }

    /**
     * @param workflowId a workflow id, which is also its session's id
     * @return its state as a session, if this executor ran it
     */
    public Optional<ObjectNode> sessionState(String workflowId) {
        return known(workflowId).map(KnownWorkflow::sessionState);
    }

    /**
     * @param workflowId a workflow id, which is also its session's id
     * @return its log lines, if this executor ran it
     */
    public Optional<ArrayNode> sessionLogs(String workflowId) {
        return known(workflowId).map(KnownWorkflow::logs);
    }

    private Optional<KnownWorkflow> known(String workflowId) {
        synchronized (workflows) {
            return Optional.ofNullable(workflows.get(workflowId));
        }
    }

    /** Stops running tools (interrupting them) and waits briefly for their threads. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Tool threads still running after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remember(String workflowId, KnownWorkflow workflow) {
        synchronized (workflows) {
            if (workflows.containsKey(workflowId)) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "workflow '" + workflowId + "' already exists");
            }
            workflows.put(workflowId, workflow);
        }
    }

    private static final class ToolThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "tool-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}

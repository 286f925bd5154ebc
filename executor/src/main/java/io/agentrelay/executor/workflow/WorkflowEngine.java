package io.agentrelay.executor.workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.log.LogText;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.executor.tool.ToolRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the workflows this executor owns, continues those it takes over, and remembers their status.
 *
 * <p>Thread-safe. Remembers the most recent {@value #RETAINED_WORKFLOWS} workflows; older ones are answered from
 * their snapshot in the state topic.
 */
public final class WorkflowEngine implements AutoCloseable {

    static final int RETAINED_WORKFLOWS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowEngine.class);

    private final ExecutorConfig config;
    private final ToolRegistry tools;
    private final EventSink sink;
    private final ThreadPoolExecutor pool;
    private final NodeActivity activity;
    private final Snapshots store;
    private final MeterRegistry registry;
    private final FollowUps followUps;
    private final WorkflowRun.RunSettings settings;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "deadlines");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, WorkflowRun> active = new ConcurrentHashMap<>();
    private final Map<String, KnownWorkflow> workflows = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KnownWorkflow> eldest) {
            return size() > RETAINED_WORKFLOWS;
        }
    };

    /**
     * @param config   the executor's settings: node limit, timeout, sandbox, threads
     * @param tools    the tools nodes may call
     * @param sink     where steps go
     * @param activity told when nodes start and finish
     * @param store    the committed snapshots, for workflows taken over and for retried commands
     * @param registry where its metrics go: {@code executor_workflows_*}, {@code executor_nodes_queued},
     *                 {@code executor_node_duration_seconds{tool, outcome}}
     * @param followUps makes the events of the runs' follow-ups
     */
    public WorkflowEngine(ExecutorConfig config, ToolRegistry tools, EventSink sink, NodeActivity activity,
                          Snapshots store, MeterRegistry registry, FollowUps followUps) {
        this.config = config;
        this.registry = registry;
        this.tools = tools;
        tools.bindMetrics(registry);
        this.sink = sink;
        this.activity = activity;
        this.store = store;
        this.followUps = followUps;
        this.settings = new WorkflowRun.RunSettings(config.nodeTimeout(), config.sandboxDir(), config.maxSleep(),
            registry, followUps, SizeLimits.of(config), config.workerId());
        this.pool = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), new ToolThreads());
        for (RunState outcome : List.of(RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED)) {
            finished(outcome);
        }
        Gauge.builder("executor.workflows.running", active, Map::size)
            .description("workflows running on this executor").register(registry);
        Gauge.builder("executor.nodes.queued", pool, running -> running.getQueue().size())
            .description("nodes waiting for a tool thread").register(registry);
    }

    /**
     * Validates a plain workflow and starts it, as {@link #execute(ExecuteWorkflow, String, String, FollowUp)} does,
     * with nothing published after its end.
     *
     * @param workflow  the workflow
     * @param commandId the id of the command that asks for it
     * @param ownerKey  the key of that command, whose partition owns the run
     * @return completes with the outcome once the workflow's final step was published
     * @throws WorkflowRefusedException when another command already started a workflow
     *                        of that id; {@code workflow.failed} on its channel says so too
     */
    public CompletableFuture<WorkflowOutcome> execute(ExecuteWorkflow workflow, String commandId, String ownerKey) {
        return start(workflow, commandId, ownerKey, null);
    }

    /**
     * Validates a workflow and starts it. Its final step publishes the follow-up's events after the workflow's end.
     * An invalid workflow is not started: it ends at once in {@code workflow.failed} with the reason (and its
     * follow-up), which its subscribers see like any other failure. The same command again (a client's retry, or a
     * command read again after a hand-over) starts nothing: while the run goes on, its end answers both; once it
     * has ended, its follow-up is published again.
     *
     * @param workflow  the workflow
     * @param commandId the id of the command that asks for it
     * @param ownerKey  the key of that command, whose partition owns the run
     * @param followUp  what to publish after the workflow's end for that command
     * @return completes with the outcome once the workflow's final step was published
     * @throws WorkflowRefusedException when another command already started a workflow
     *                        of that id; {@code workflow.failed} on its channel says so too
     */
    public CompletableFuture<WorkflowOutcome> execute(ExecuteWorkflow workflow, String commandId, String ownerKey,
                                                      FollowUp followUp) {
        return start(workflow, commandId, ownerKey, followUp);
    }

    private CompletableFuture<WorkflowOutcome> start(ExecuteWorkflow workflow, String commandId, String ownerKey,
                                                     FollowUp followUp) {
        String workflowId = workflow.workflowId();
        Optional<KnownWorkflow> existing = known(workflowId);
        if (existing.isPresent()) {
            if (commandId.equals(existing.get().commandId())) {
                LOG.info("Command {} for workflow {} seen again; not running it twice", commandId, workflowId);
                return seenAgain(workflowId, existing.get());
            }
            throw refuseTaken(workflow);
        }
        WorkflowGraph graph;
        try {
            graph = WorkflowGraph.of(workflow, tools, config.maxNodes(),
                NodeContext.forValidation(workflowId, config.sandboxDir(), config.maxSleep()));
        } catch (InvalidWorkflowException e) {
            LOG.info("Workflow {} is invalid: {}", workflowId, LogText.escape(e.getMessage()));
            RefusedWorkflow refused = new RefusedWorkflow(workflow, e.getMessage(), Instant.now(), commandId, ownerKey,
                followUp);
            remember(workflowId, refused);
            sink.publishStep(refusal(workflow, WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_FAILED,
                    new WorkflowEvents.WorkflowFailed(workflowId, e.getMessage(), null, 0)), e.getMessage(), followUp),
                List.of(StateRecord.of(WorkflowSnapshot.key(workflowId), refused.snapshot())));
            return CompletableFuture.completedFuture(refused.outcome());
        }
        WorkflowRun run = new WorkflowRun(graph, sink, pool, settings, activity, ownerKey, commandId, Instant.now(),
            Traceparent.current().orElseGet(Traceparent::newTrace), followUp);
        remember(workflowId, run);
        track(run, workflowId);
        run.start();
        return run.outcome();
    }

    /**
     * Continues the running workflows whose owner key this executor now owns, from their last committed snapshots.
     * Called when partitions are assigned, before any new command of them is handled. Continues all of them or,
     * when the snapshots cannot be read in time, none: then it is called again.
     *
     * @param owns     whether this executor owns a key
     * @param workerId this executor, for the log line
     * @param within   how long to wait for the snapshots committed until now
     * @throws RelayException with {@link ErrorCode#UNAVAILABLE} when they cannot be read in time
     */
    public void resumeOwned(Predicate<String> owns, String workerId, Duration within) {
        store.catchUp(within);
        for (WorkflowSnapshot snapshot : store.runningWorkflows()) {
            String workflowId = snapshot.sessionId();
            if (!owns.test(snapshot.ownerKey()) || active.containsKey(workflowId)) {
                continue;
            }
            WorkflowGraph graph;
            try {
                graph = WorkflowGraph.takenOver(snapshot.workflow(), tools);
            } catch (InvalidWorkflowException e) {
                LOG.error("Cannot continue workflow {} here: {}", workflowId, LogText.escape(e.getMessage()));
                continue;
            }
            WorkflowRun run = new WorkflowRun(graph, sink, pool, settings, activity, snapshot.ownerKey(),
                snapshot.commandId(), snapshot.startedAt(),
                Traceparent.parse(snapshot.traceparent()).orElseGet(Traceparent::newTrace), snapshot.followUp());
            synchronized (workflows) {
                workflows.put(workflowId, run);
            }
            track(run, workflowId);
            LOG.info("Continuing workflow {} from its last step", workflowId);
            run.resume(snapshot, workerId);
        }
    }

    /**
     * Stops, without a word, the runs whose owner key this executor no longer owns: their new owner continues them.
     * Forgets the ended ones too: what the state topic holds of them is what counts from now on, as their last steps
     * may not have committed.
     *
     * @param owned whether this executor still owns a key
     */
    public void stopUnowned(Predicate<String> owned) {
        active.values().removeIf(run -> {
            if (owned.test(run.ownerKey())) {
                return false;
            }
            run.stop();
            return true;
        });
        synchronized (workflows) {
            workflows.values().removeIf(known -> !owned.test(known.ownerKey()));
        }
    }

    /**
     * Cancels a running workflow.
     *
     * @param workflowId the workflow
     * @param reason     why, for its {@code workflow.cancelled}
     * @return false when it had already ended
     * @throws RelayException with {@link ErrorCode#NOT_FOUND} when it is not known
     */
    public boolean cancel(String workflowId, String reason) {
        WorkflowRun run = active.get(workflowId);
        if (run != null) {
            return run.cancel(reason);
        }
        if (known(workflowId).isPresent()) {
            return false;
        }
        throw new RelayException(ErrorCode.NOT_FOUND, "workflow '" + workflowId + "' is not known");
    }

    /**
     * Answers {@code list_tools}: every tool offered now, built-in, plugged-in and MCP.
     *
     * @param poolId the pool asked about
     * @return {@code {pool_id, tools: [{name, description, input_schema, idempotent}]}}
     */
    public ObjectNode toolList(String poolId) {
        ObjectNode answer = Json.object().put("pool_id", poolId);
        ArrayNode list = answer.putArray("tools");
        tools.all().forEach(tool -> {
            ObjectNode entry = list.addObject().put("name", tool.name()).put("description", tool.description());
            entry.set("input_schema", tool.inputSchema());
            entry.put("idempotent", tool.idempotent());
        });
        return answer;
    }

    /** Nodes waiting for a tool thread. */
    public int queuedNodes() {
        return pool.getQueue().size();
    }

    /** Workflows running now. */
    public int runningWorkflows() {
        return active.size();
    }

    /**
     * Lets running workflows finish, up to a timeout, then stops the rest for their next owner.
     *
     * @param timeout the longest to wait
     */
    public void drain(Duration timeout) {
        CompletableFuture<?>[] running = active.values().stream().map(WorkflowRun::outcome)
            .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(running).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException | TimeoutException e) {
            // What has not finished is handed over below.
        }
        if (!active.isEmpty()) {
            LOG.info("Handing over {} running workflows", active.size());
        }
        stopUnowned(key -> false);
    }

    /**
     * @param workflowId a workflow id
     * @return its status, if this executor ran it or the state topic has it
     */
    public Optional<WorkflowStatus> status(String workflowId) {
        return known(workflowId).map(KnownWorkflow::status);
    }

    /**
     * @param workflowId a workflow id, which is also its session's id
     * @return its state as a session
     */
    public Optional<ObjectNode> sessionState(String workflowId) {
        return known(workflowId).map(KnownWorkflow::sessionState);
    }

    /**
     * @param workflowId a workflow id, which is also its session's id
     * @return its log lines
     */
    public Optional<ArrayNode> sessionLogs(String workflowId) {
        return known(workflowId).map(KnownWorkflow::logs);
    }

    /** Stops running tools (interrupting them) and waits briefly for their threads. */
    @Override
    public void close() {
        deadlines.shutdownNow();
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Tool threads still running after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The count of workflows that ended so, tagged by the outcome's wire name. */
    private Counter finished(RunState outcome) {
        return registry.counter("executor.workflows.finished", "outcome", outcome.wireName());
    }

    private void track(WorkflowRun run, String workflowId) {
        active.put(workflowId, run);
        run.outcome().whenComplete((outcome, failure) -> {
            active.remove(workflowId, run);
            if (outcome != null) {
                finished(run.runState()).increment();
            }
        });
        if (run.deadline() != null) {
            long delay = Math.max(0, Duration.between(Instant.now(), run.deadline()).toMillis());
            deadlines.schedule(run::expire, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Refuses a second workflow of a taken id. The requester is told on its own connection and, for a requester
     * without one (the HTTP API) or one that only watches, on the workflow's channel as {@code workflow.refused}: not
     * {@code workflow.failed}, which would tell everyone watching that the first run failed. The first run and its
     * snapshot are left as they are. The request's follow-up (a DSL command's {@code dsl.result}) is not published:
     * on the first run's channel it would tell its watchers that something failed.
     *
     * @return the exception that answers the requester
     */
    private WorkflowRefusedException refuseTaken(ExecuteWorkflow workflow) {
        String workflowId = workflow.workflowId();
        String reason = "workflow '" + workflowId + "' already exists; a request to run it again was refused";
        sink.publishStep(List.of(WorkflowEvents.event(workflowId, WorkflowEvents.WORKFLOW_REFUSED,
            new WorkflowEvents.WorkflowRefused(workflowId, reason))), List.of());
        return new WorkflowRefusedException(workflowId, reason);
    }

    /** The one step of a workflow refused before it ran: the event that says so, then the follow-up. */
    private List<Event> refusal(ExecuteWorkflow workflow, Event refused, String reason, FollowUp followUp) {
        List<Event> step = new ArrayList<>(List.of(refused));
        step.addAll(followUps.events(followUp, workflow,
            new WorkflowOutcome(workflow.workflowId(), false, Map.of(), reason)));
        return step;
    }

    /**
     * Answers a command seen again: a run still going answers it with its end, as it will the first; an ended one
     * publishes its follow-up again, since the asker may have missed it.
     */
    private CompletableFuture<WorkflowOutcome> seenAgain(String workflowId, KnownWorkflow known) {
        WorkflowRun run = active.get(workflowId);
        if (run != null) {
            return run.outcome();
        }
        Optional<WorkflowOutcome> ending = known.ending();
        if (ending.isEmpty()) {
            return new CompletableFuture<>();
        }
        List<Event> again = followUps.events(known.followUp(), known.workflow(), ending.get());
        if (!again.isEmpty()) {
            sink.publishStep(again, List.of());
        }
        return CompletableFuture.completedFuture(ending.get());
    }

    private Optional<KnownWorkflow> known(String workflowId) {
        synchronized (workflows) {
            KnownWorkflow known = workflows.get(workflowId);
            if (known != null) {
                return Optional.of(known);
            }
        }
        return store.workflow(workflowId).map(StoredWorkflow::new);
    }

    private void remember(String workflowId, KnownWorkflow workflow) {
        synchronized (workflows) {
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

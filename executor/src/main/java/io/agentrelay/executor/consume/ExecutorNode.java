package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.runtime.metrics.Metrics;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.PanelDefinition;
import io.agentrelay.runtime.kafka.TopicProvisioner;
import io.agentrelay.executor.chat.ChatRunner;
import io.agentrelay.executor.dsl.DslCompiler;
import io.agentrelay.executor.dsl.DslRunner;
import io.agentrelay.executor.panel.PanelBootstrap;
import io.agentrelay.executor.panel.PanelEngine;
import io.agentrelay.executor.panel.PanelFiles;
import io.agentrelay.executor.panel.PanelHandlers;
import io.agentrelay.executor.pool.WorkerReporter;
import io.agentrelay.executor.state.StateStore;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.executor.workflow.Snapshots;
import io.agentrelay.executor.workflow.WorkflowEngine;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running executor: the topics ensured, the event producer, the workflow engine and the command consumer on a
 * thread of its own. Closing it stops in the safe order: stop taking commands, stop the tools, flush the events.
 */
public final class ExecutorNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorNode.class);

    private final ExecutorConfig config;
    private final Metrics metrics;
    private final MetricsServer metricsServer;
    private final TransactionalSink sink;
    private final StateStore store;
    private final WorkerReporter worker;
    private final WorkflowEngine engine;
    private final PanelEngine panels;
    private final CommandConsumer consumer;
    private final Thread consumerThread;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ExecutorNode(ExecutorConfig config, ToolRegistry tools, UnaryOperator<Snapshots> snapshots) {
        this.config = config;
        this.metrics = new Metrics("executor", config.workerId());
        this.metricsServer = new MetricsServer(config.metricsPort(), metrics, this::problem);
        this.sink = new TransactionalSink(config, metrics.registry());
        this.store = new StateStore(config.kafka(), config.workerId() + "-state-store");
        // The consumer is built below; ownership is asked of it only once heartbeats run.
        this.worker = new WorkerReporter(config, sink, this::ownsPool);
        this.engine = new WorkflowEngine(config, tools, sink, worker, snapshots.apply(store), metrics.registry(),
            new FollowUpEvents());
        this.panels = new PanelEngine(PanelHandlers.withPlugins(), sink, store);
        this.consumer = new CommandConsumer(config, new CommandHandler(engine,
            new DslRunner(new DslCompiler(tools), engine, sink),
            new ChatRunner(ChatRunner.defaultPlanner(), engine, sink), worker, panels, sink), engine, panels, sink);
        consumer.bindMetrics(metrics.registry());
        this.consumerThread = new Thread(consumer, "commands-" + config.workerId());
    }

    /**
     * Ensures the topics exist and starts consuming commands.
     *
     * @param config the executor's settings
     * @param tools  the tools workflow nodes may call
     * @return the running executor
     */
    public static ExecutorNode start(ExecutorConfig config, ToolRegistry tools) {
        return start(config, tools, UnaryOperator.identity());
    }

    /**
     * Starts an executor whose workflow engine sees the state topic through a view of it: for tests of what happens
     * while the state topic cannot be read.
     */
    static ExecutorNode start(ExecutorConfig config, ToolRegistry tools, UnaryOperator<Snapshots> snapshots) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            config.kafka().bootstrapServers()))) {
            new TopicProvisioner(admin, config.kafka(), Duration.ofSeconds(30)).ensureTopics();
        }
        List<PanelDefinition> panels = config.panelsDir() == null ? List.of() : PanelFiles.load(config.panelsDir());
        ExecutorNode node = new ExecutorNode(config, tools, snapshots);
        try {
            node.store.start();
            node.worker.start();
            PanelBootstrap.requestAll(config.kafka(), config.workerId(), panels);
        } catch (RuntimeException e) {
            node.stopUnstarted();
            throw e;
        }
        node.consumerThread.start();
        LOG.info("Executor {} consuming {} as group {} with tools {}", config.workerId(),
            config.kafka().topics().commands(), config.groupId(), tools.names());
        return node;
    }

    /** The port of the executor's {@code /metrics} and {@code /health}. */
    public int metricsPort() {
        return metricsServer.port();
    }

    /** What keeps the executor from doing its work, if anything: {@code /health} says DOWN with it. */
    private Optional<String> problem() {
        if (consumer == null) {
            return Optional.of("starting");
        }
        return consumer.problem(config.stallTimeout()).or(() -> sink.problem(config.stallTimeout()));
    }

    private boolean ownsPool() {
        return consumer.owns(Channel.of(Namespace.POOL, config.poolId()).name());
    }

    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        consumer.close();
        engine.close();
        worker.close();
        sink.close();
        store.close();
        metricsServer.close();
        metrics.close();
        LOG.info("Executor {} stopped", config.workerId());
    }

    /** Stops what a start that failed before the command loop ran had started, so that no thread outlives it. */
    private void stopUnstarted() {
        stopped.set(true);
        worker.abort();
        sink.abort();
        consumer.closeUnstarted();
        engine.close();
        store.close();
        metricsServer.close();
        metrics.close();
    }

    /**
     * Stops as abruptly as a killed process: no offline announcement, no flush of events in flight. For failure
     * tests; the pool's owner reports this worker offline after three heartbeats.
     */
    public void abort() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        worker.abort();
        sink.abort();
        consumer.abort();
        engine.close();
        store.close();
        metricsServer.close();
        metrics.close();
        LOG.info("Executor {} aborted", config.workerId());
    }
}

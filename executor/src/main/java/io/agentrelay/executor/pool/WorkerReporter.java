package io.agentrelay.executor.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.NodeActivity;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This executor as a worker of its pool. It publishes {@code worker.status_changed} (on {@code pool:<pool>} and
 * {@code worker:<id>}) when it turns busy or idle, writes its {@link WorkerState} to the state topic at every
 * heartbeat, and says {@code offline} when it stops. The executor that owns the pool's key also watches the others:
 * a worker silent for three heartbeats is reported offline, and {@code pool.status_changed} follows any change of
 * the pool's counts. Thread-safe.
 */
public final class WorkerReporter implements NodeActivity, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerReporter.class);

    private final ExecutorConfig config;
    private final EventSink sink;
    private final BooleanSupplier ownsPool;
    private final Producer<String, WorkerState> states;
    private final PoolView view;
    private final ScheduledExecutorService heartbeat;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong tasksCompleted = new AtomicLong();
    private final Channel.Scoped poolChannel;
    private final Channel.Scoped workerChannel;
    private WorkerStatus reported;
    private PoolEvents.PoolCounts lastCounts;

    /**
     * @param config   the executor's settings: worker id, pool id, heartbeat
     * @param sink     where events go
     * @param ownsPool whether this executor now owns the pool's key, and so watches the other workers
     */
    public WorkerReporter(ExecutorConfig config, EventSink sink, BooleanSupplier ownsPool) {
        this.config = config;
        this.sink = sink;
        this.ownsPool = ownsPool;
        this.poolChannel = Channel.of(Namespace.POOL, config.poolId());
        this.workerChannel = Channel.of(Namespace.WORKER, config.workerId());
        this.states = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
            ProducerConfig.CLIENT_ID_CONFIG, config.workerId() + "-state",
            ProducerConfig.LINGER_MS_CONFIG, 1,
            // A heartbeat or a goodbye must not hang on a broker that is gone.
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000),
            new StringSerializer(), JsonSerde.of(WorkerState.class));
        this.view = new PoolView(config);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "heartbeat-" + config.workerId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Announces the worker idle and starts the heartbeat. */
    public void start() {
        view.start();
        report(WorkerStatus.IDLE);
        long interval = config.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void nodeStarted() {
        running.incrementAndGet();
        reportIfChanged();
    }

    @Override
    public void nodeFinished() {
        running.decrementAndGet();
        tasksCompleted.incrementAndGet();
        reportIfChanged();
    }

    /**
     * The pool's status, for {@code get_pool_status}.
     *
     * @param poolId the pool asked about
     * @return the status, if this executor's pool is that one and has workers
     */
    public Optional<JsonNode> poolStatus(String poolId) {
        if (!config.poolId().equals(poolId)) {
            return Optional.empty();
        }
        // The view lags the state topic a little; about itself, this worker knows best.
        Map<String, WorkerState> byId = new TreeMap<>();
        view.workers().forEach(worker -> byId.put(worker.workerId(), worker));
        byId.put(config.workerId(), currentState(Instant.now()));
        List<WorkerState> workers = List.copyOf(byId.values());
        List<String> online = workers.stream().filter(w -> w.status() != WorkerStatus.OFFLINE)
            .map(WorkerState::workerId).sorted().toList();
        int idle = (int) workers.stream().filter(w -> w.status() == WorkerStatus.IDLE).count();
        return Optional.of(Json.tree(new PoolEvents.PoolStatus(poolId, online.isEmpty() ? "inactive" : "active",
            online, online.size(), idle)));
    }

    /** Says offline, then stops the heartbeat and the pool view: a graceful exit. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            report(WorkerStatus.OFFLINE);
        } catch (KafkaException e) {
            LOG.warn("Could not announce {} offline; the pool's owner will notice its silence", config.workerId(), e);
        }
        states.close(Duration.ofSeconds(5));
        view.close();
    }

    /** Stops without a word, as a crash would: the pool's owner reports this worker offline after three heartbeats. */
    public void abort() {
        heartbeat.shutdownNow();
        states.close(Duration.ZERO);
        view.close();
    }

    private void reportIfChanged() {
        WorkerStatus now = running.get() > 0 ? WorkerStatus.BUSY : WorkerStatus.IDLE;
        synchronized (this) {
            if (now == reported) {
                return;
            }
        }
        report(now);
    }

    private synchronized void report(WorkerStatus status) {
        reported = status;
        Instant now = Instant.now();
        writeState(status, now);
        PoolEvents.WorkerStatusChanged changed =
            new PoolEvents.WorkerStatusChanged(config.workerId(), status, config.poolId(), now);
        sink.publish(Event.of(poolChannel, PoolEvents.WORKER_STATUS_CHANGED, Json.tree(changed)));
        sink.publish(Event.of(workerChannel, PoolEvents.WORKER_STATUS_CHANGED, Json.tree(changed)));
    }

    private synchronized void writeState(WorkerStatus status, Instant now) {
        states.send(new ProducerRecord<>(config.kafka().topics().state(), "worker:" + config.workerId(),
            stateOf(status, now)));
    }

    private synchronized WorkerState currentState(Instant now) {
        return stateOf(reported, now);
    }

    private WorkerState stateOf(WorkerStatus status, Instant now) {
        int runningNow = Math.max(0, running.get());
        return new WorkerState(config.workerId(), config.poolId(), status,
            status == WorkerStatus.OFFLINE ? 0 : runningNow, Math.max(0, runningNow - config.threads()),
            tasksCompleted.get(), now);
    }

    private void beat() {
        try {
            synchronized (this) {
                writeState(reported, Instant.now());
            }
            if (ownsPool.getAsBoolean()) {
                superviseOthers();
            }
        } catch (RuntimeException e) {
            LOG.warn("Heartbeat of {} failed", config.workerId(), e);
        }
    }

    /** Runs on the heartbeat thread of the pool's owner only. */
    private void superviseOthers() {
        Instant now = Instant.now();
        Instant silentSince = now.minus(config.heartbeat().multipliedBy(3));
        List<WorkerState> workers = view.workers();
        for (WorkerState worker : workers) {
            if (worker.status() != WorkerStatus.OFFLINE && worker.lastSeen().isBefore(silentSince)
                && !worker.workerId().equals(config.workerId())) {
                LOG.info("Worker {} silent since {}; reporting it offline", worker.workerId(), worker.lastSeen());
                states.send(new ProducerRecord<>(config.kafka().topics().state(), "worker:" + worker.workerId(),
                    worker.offline(now)));
                PoolEvents.WorkerStatusChanged changed = new PoolEvents.WorkerStatusChanged(worker.workerId(),
                    WorkerStatus.OFFLINE, config.poolId(), now);
                sink.publish(Event.of(poolChannel, PoolEvents.WORKER_STATUS_CHANGED, Json.tree(changed)));
                sink.publish(Event.of(Channel.of(Namespace.WORKER, worker.workerId()),
                    PoolEvents.WORKER_STATUS_CHANGED, Json.tree(changed)));
            }
        }
        PoolEvents.PoolCounts counts = new PoolEvents.PoolCounts(
            (int) workers.stream().filter(w -> w.status() != WorkerStatus.OFFLINE).count(),
            (int) workers.stream().filter(w -> w.status() == WorkerStatus.IDLE).count(),
            workers.stream().filter(w -> w.status() != WorkerStatus.OFFLINE).mapToInt(WorkerState::queued).sum(),
            workers.stream().mapToLong(WorkerState::tasksCompleted).sum());
        if (!counts.equals(lastCounts)) {
            lastCounts = counts;
            sink.publish(Event.of(poolChannel, PoolEvents.POOL_STATUS_CHANGED,
                Json.tree(new PoolEvents.PoolStatusChanged(config.poolId(), counts, now))));
        }
    }
}

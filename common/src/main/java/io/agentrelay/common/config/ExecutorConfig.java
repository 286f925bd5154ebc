package io.agentrelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of one executor, each read from an environment variable.
 *
 * @param workerId    {@code EXECUTOR_WORKER_ID}: this executor's name in events and logs, default a random one
 * @param groupId     {@code EXECUTOR_GROUP_ID}: the consumer group that executors share, default
 *                    {@value #DEFAULT_GROUP_ID}
 * @param kafka       how to reach Kafka
 * @param sandboxDir  {@code EXECUTOR_SANDBOX_DIR}: the only directory that file tools may touch, default
 *                    {@code ./sandbox}
 * @param maxNodes    {@code EXECUTOR_MAX_NODES}: the most nodes a workflow may have, default
 *                    {@value #DEFAULT_MAX_NODES}
 * @param nodeTimeout {@code EXECUTOR_NODE_TIMEOUT_MS}: how long one node may run, default 30 s
 * @param maxSleep    {@code EXECUTOR_MAX_SLEEP_MS}: the longest the {@code sleep} tool may sleep, default 60 s
 * @param threads     {@code EXECUTOR_THREADS}: threads that run tools, default {@value #DEFAULT_THREADS}
 * @param poolId      {@code EXECUTOR_POOL_ID}: the pool this executor is a worker of, default
 *                    {@value #DEFAULT_POOL_ID}
 * @param heartbeat   {@code EXECUTOR_HEARTBEAT_MS}: how often a worker says it is alive; one silent for three
 *                    heartbeats is reported offline; default 2 s
 * @param panelsDir   {@code EXECUTOR_PANELS_DIR}: a directory of panel definitions ({@code *.json}) that the executor
 *                    creates at start unless they exist; null (unset) for none
 * @param transactionTimeout {@code EXECUTOR_TRANSACTION_TIMEOUT_MS}: how long the broker waits for an executor's open
 *                    transaction before aborting it; bounds how long a killed executor's partitions stay blocked,
 *                    default 10 s
 * @param maxQueuedNodes {@code EXECUTOR_MAX_QUEUED_NODES}: nodes that may wait for a tool thread before the executor
 *                    stops taking commands, default {@value #DEFAULT_MAX_QUEUED_NODES}
 * @param shutdownTimeout {@code EXECUTOR_SHUTDOWN_TIMEOUT_MS}: how long a stopping executor lets running nodes
 *                    finish before handing them over, default 10 s
 * @param sessionTimeout {@code EXECUTOR_SESSION_TIMEOUT_MS}: how long the group waits for a silent executor before
 *                    giving its partitions to the others: with the transaction timeout, the longest pause a killed
 *                    executor causes, default 10 s
 * @param metricsPort {@code EXECUTOR_METRICS_PORT}: the port of {@code GET /metrics} and {@code GET /health}, default
 *                    {@value #DEFAULT_METRICS_PORT}; 0 picks a free one
 */
public record ExecutorConfig(
    String workerId,
    String groupId,
    KafkaSettings kafka,
    Path sandboxDir,
    int maxNodes,
    Duration nodeTimeout,
    Duration maxSleep,
    int threads,
    String poolId,
    Duration heartbeat,
    Path panelsDir,
    Duration transactionTimeout,
    int maxQueuedNodes,
    Duration shutdownTimeout,
    Duration sessionTimeout,
    int metricsPort) {

    /** The default consumer group. */
    public static final String DEFAULT_GROUP_ID = "agent-relay-executor";
    /** The default node limit. */
    public static final int DEFAULT_MAX_NODES = 100;
    /** Tools block (sleep, files), so the pool is larger than the core count. */
    public static final int DEFAULT_THREADS = 16;
    /** The pool of the Mahavishnu examples ({@code pool:local}). */
    public static final String DEFAULT_POOL_ID = "local";
    /** Enough to keep the tool threads busy, few enough to hand over quickly. */
    public static final int DEFAULT_MAX_QUEUED_NODES = 64;
    /** Next to the relay's 8080. */
    public static final int DEFAULT_METRICS_PORT = 9091;

    /** Validates every field. */
    public ExecutorConfig {
        Checks.notBlank("EXECUTOR_WORKER_ID", workerId);
        Checks.notBlank("EXECUTOR_GROUP_ID", groupId);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(sandboxDir, "EXECUTOR_SANDBOX_DIR");
        Checks.range("EXECUTOR_MAX_NODES", maxNodes, 1, 10_000);
        Checks.positive("EXECUTOR_NODE_TIMEOUT_MS", nodeTimeout);
        Checks.positive("EXECUTOR_MAX_SLEEP_MS", maxSleep);
        Checks.range("EXECUTOR_THREADS", threads, 1, 1024);
        Checks.notBlank("EXECUTOR_POOL_ID", poolId);
        Checks.positive("EXECUTOR_HEARTBEAT_MS", heartbeat);
        Checks.positive("EXECUTOR_TRANSACTION_TIMEOUT_MS", transactionTimeout);
        Checks.range("EXECUTOR_MAX_QUEUED_NODES", maxQueuedNodes, 1, 1_000_000);
        Checks.positive("EXECUTOR_SHUTDOWN_TIMEOUT_MS", shutdownTimeout);
        Checks.positive("EXECUTOR_SESSION_TIMEOUT_MS", sessionTimeout);
        Checks.range("EXECUTOR_METRICS_PORT", metricsPort, 0, 65_535);
    }

    /**
     * Reads the settings from environment variables.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @return the settings, defaults filled in
     * @throws ConfigException naming the first bad value
     */
    public static ExecutorConfig fromEnv(Map<String, String> env) {
        Env vars = new Env(env);
        return new ExecutorConfig(
            vars.string("EXECUTOR_WORKER_ID", "worker-" + UUID.randomUUID().toString().substring(0, 8)),
            vars.string("EXECUTOR_GROUP_ID", DEFAULT_GROUP_ID),
            KafkaSettings.fromEnv(env),
            vars.path("EXECUTOR_SANDBOX_DIR", Path.of("sandbox")),
            vars.integer("EXECUTOR_MAX_NODES", DEFAULT_MAX_NODES, 1, 10_000),
            vars.millis("EXECUTOR_NODE_TIMEOUT_MS", Duration.ofSeconds(30), 1, 86_400_000),
            vars.millis("EXECUTOR_MAX_SLEEP_MS", Duration.ofSeconds(60), 1, 86_400_000),
            vars.integer("EXECUTOR_THREADS", DEFAULT_THREADS, 1, 1024),
            vars.string("EXECUTOR_POOL_ID", DEFAULT_POOL_ID),
            vars.millis("EXECUTOR_HEARTBEAT_MS", Duration.ofSeconds(2), 10, 3_600_000),
            vars.path("EXECUTOR_PANELS_DIR", null),
            vars.millis("EXECUTOR_TRANSACTION_TIMEOUT_MS", Duration.ofSeconds(10), 1_000, 900_000),
            vars.integer("EXECUTOR_MAX_QUEUED_NODES", DEFAULT_MAX_QUEUED_NODES, 1, 1_000_000),
            vars.millis("EXECUTOR_SHUTDOWN_TIMEOUT_MS", Duration.ofSeconds(10), 0, 3_600_000),
            // Brokers refuse sessions outside group.min/max.session.timeout.ms (6 s and 30 min by default).
            vars.millis("EXECUTOR_SESSION_TIMEOUT_MS", Duration.ofSeconds(10), 6_000, 1_800_000),
            vars.integer("EXECUTOR_METRICS_PORT", DEFAULT_METRICS_PORT, 0, 65_535));
    }
}

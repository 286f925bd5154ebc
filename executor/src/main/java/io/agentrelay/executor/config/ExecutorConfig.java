package io.agentrelay.executor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.agentrelay.runtime.config.Checks;
import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.runtime.config.Env;
import io.agentrelay.runtime.config.KafkaSettings;

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
 * @param maxOutputBytes {@code EXECUTOR_MAX_OUTPUT_BYTES}: the largest output a node may return, as JSON; a larger one
 *                    fails the node, default {@value #DEFAULT_MAX_OUTPUT_BYTES}; at most the event limit, since an
 *                    output travels in the node's events
 * @param maxEventBytes {@code EXECUTOR_MAX_EVENT_BYTES}: the largest event an executor writes, as JSON; a step with a
 *                    larger one is not written and fails instead, default {@value #DEFAULT_MAX_EVENT_BYTES}
 * @param maxSnapshotBytes {@code EXECUTOR_MAX_SNAPSHOT_BYTES}: the largest snapshot of a workflow or panel, as JSON;
 *                    a step that would write a larger one fails instead, default {@value #DEFAULT_MAX_SNAPSHOT_BYTES}.
 *                    The three limits stay under Kafka's default {@code max.request.size} and
 *                    {@code message.max.bytes} (1 MB)
 * @param commitTimeout {@code EXECUTOR_COMMIT_TIMEOUT_MS}: how long the executor retries a transaction of steps that
 *                    failed for a reason a retry may mend (a broker failing over) before it fails those steps,
 *                    default 30 s
 * @param stallTimeout {@code EXECUTOR_STALL_TIMEOUT_MS}: {@code /health} says DOWN when the command loop has not come
 *                    round, or one transaction of steps has been committing, for this long; longer than the commit
 *                    timeout, default 120 s
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
    int metricsPort,
    int maxOutputBytes,
    int maxEventBytes,
    int maxSnapshotBytes,
    Duration commitTimeout,
    Duration stallTimeout) {

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
    /** 256 KiB: room for a large file or page, and two of them fit in an event. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;
    /** 512 KiB: half of Kafka's default 1 MB record limit, leaving room for the record's headers and batch. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 512 * 1024;
    /** 512 KiB, as events. */
    public static final int DEFAULT_MAX_SNAPSHOT_BYTES = 512 * 1024;
    /** Outlasts a broker failing over (seconds), short enough that a step that cannot commit fails soon. */
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(30);
    /** Well past the commit timeout and one attempt's own Kafka waits: only a hung loop gets there. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(120);
    // The bounds of each setting, checked by the constructor only.
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;
    private static final long MAX_WAIT_MS = 3_600_000;

    /** Validates every field: the only place that knows each setting's bounds. */
    public ExecutorConfig {
        Checks.notBlank("EXECUTOR_WORKER_ID", workerId);
        Checks.notBlank("EXECUTOR_GROUP_ID", groupId);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(sandboxDir, "EXECUTOR_SANDBOX_DIR");
        Checks.range("EXECUTOR_MAX_NODES", maxNodes, 1, 10_000);
        Checks.millis("EXECUTOR_NODE_TIMEOUT_MS", nodeTimeout, 1, 86_400_000);
        Checks.millis("EXECUTOR_MAX_SLEEP_MS", maxSleep, 1, 86_400_000);
        Checks.range("EXECUTOR_THREADS", threads, 1, 1024);
        Checks.notBlank("EXECUTOR_POOL_ID", poolId);
        Checks.millis("EXECUTOR_HEARTBEAT_MS", heartbeat, 10, MAX_WAIT_MS);
        Checks.millis("EXECUTOR_TRANSACTION_TIMEOUT_MS", transactionTimeout, 1_000, 900_000);
        Checks.range("EXECUTOR_MAX_QUEUED_NODES", maxQueuedNodes, 1, 1_000_000);
        Checks.millis("EXECUTOR_SHUTDOWN_TIMEOUT_MS", shutdownTimeout, 0, MAX_WAIT_MS);
        // Brokers refuse sessions outside group.min/max.session.timeout.ms (6 s and 30 min by default).
        Checks.millis("EXECUTOR_SESSION_TIMEOUT_MS", sessionTimeout, 6_000, 1_800_000);
        Checks.range("EXECUTOR_METRICS_PORT", metricsPort, 0, 65_535);
        Checks.range("EXECUTOR_MAX_EVENT_BYTES", maxEventBytes, 1024, MAX_RECORD_BYTES);
        Checks.range("EXECUTOR_MAX_OUTPUT_BYTES", maxOutputBytes, 64, maxEventBytes);
        Checks.range("EXECUTOR_MAX_SNAPSHOT_BYTES", maxSnapshotBytes, 1024, MAX_RECORD_BYTES);
        Checks.millis("EXECUTOR_COMMIT_TIMEOUT_MS", commitTimeout, 100, MAX_WAIT_MS);
        Checks.millis("EXECUTOR_STALL_TIMEOUT_MS", stallTimeout, 1, MAX_WAIT_MS);
        if (stallTimeout.compareTo(commitTimeout) <= 0) {
            throw new ConfigException("EXECUTOR_STALL_TIMEOUT_MS must be longer than EXECUTOR_COMMIT_TIMEOUT_MS ("
                + commitTimeout.toMillis() + "), but was " + stallTimeout.toMillis());
        }
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
            vars.integer("EXECUTOR_MAX_NODES", DEFAULT_MAX_NODES),
            vars.millis("EXECUTOR_NODE_TIMEOUT_MS", Duration.ofSeconds(30)),
            vars.millis("EXECUTOR_MAX_SLEEP_MS", Duration.ofSeconds(60)),
            vars.integer("EXECUTOR_THREADS", DEFAULT_THREADS),
            vars.string("EXECUTOR_POOL_ID", DEFAULT_POOL_ID),
            vars.millis("EXECUTOR_HEARTBEAT_MS", Duration.ofSeconds(2)),
            vars.path("EXECUTOR_PANELS_DIR", null),
            vars.millis("EXECUTOR_TRANSACTION_TIMEOUT_MS", Duration.ofSeconds(10)),
            vars.integer("EXECUTOR_MAX_QUEUED_NODES", DEFAULT_MAX_QUEUED_NODES),
            vars.millis("EXECUTOR_SHUTDOWN_TIMEOUT_MS", Duration.ofSeconds(10)),
            vars.millis("EXECUTOR_SESSION_TIMEOUT_MS", Duration.ofSeconds(10)),
            vars.integer("EXECUTOR_METRICS_PORT", DEFAULT_METRICS_PORT),
            vars.integer("EXECUTOR_MAX_OUTPUT_BYTES", DEFAULT_MAX_OUTPUT_BYTES),
            vars.integer("EXECUTOR_MAX_EVENT_BYTES", DEFAULT_MAX_EVENT_BYTES),
            vars.integer("EXECUTOR_MAX_SNAPSHOT_BYTES", DEFAULT_MAX_SNAPSHOT_BYTES),
            vars.millis("EXECUTOR_COMMIT_TIMEOUT_MS", DEFAULT_COMMIT_TIMEOUT),
            vars.millis("EXECUTOR_STALL_TIMEOUT_MS", DEFAULT_STALL_TIMEOUT));
    }
}

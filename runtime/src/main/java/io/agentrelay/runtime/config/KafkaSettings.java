package io.agentrelay.runtime.config;

import java.time.Duration;
import java.util.Map;

import io.agentrelay.common.topic.Topics;

/**
 * How relay and executor reach Kafka and lay out their topics.
 *
 * @param bootstrapServers  {@code KAFKA_BOOTSTRAP_SERVERS}, default {@value #DEFAULT_BOOTSTRAP_SERVERS}
 * @param topics            topic names under {@code RELAY_TOPIC_PREFIX}, default {@value #DEFAULT_TOPIC_PREFIX}
 * @param partitions        {@code RELAY_TOPIC_PARTITIONS}: partitions of each topic created, default
 *                          {@value #DEFAULT_PARTITIONS}
 * @param replicationFactor {@code RELAY_TOPIC_REPLICATION_FACTOR}: replicas of each topic created; 0, the default,
 *                          takes the broker's {@code default.replication.factor}
 * @param eventRetention    {@code RELAY_EVENT_RETENTION_MS}: how long event topics keep events, which is the resume
 *                          and replay window; default 7 days
 */
public record KafkaSettings(
    String bootstrapServers,
    Topics topics,
    int partitions,
    int replicationFactor,
    Duration eventRetention) {

    /** A broker on this machine's default port. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    /** The default topic prefix. */
    public static final String DEFAULT_TOPIC_PREFIX = "relay";
    /** Enough partitions to spread a few executors and relays; a topic's count is fixed once created. */
    public static final int DEFAULT_PARTITIONS = 12;
    /** The default event retention. */
    public static final Duration DEFAULT_EVENT_RETENTION = Duration.ofDays(7);

    /** Validates every field. */
    public KafkaSettings {
        Checks.notBlank("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        if (topics == null) {
            throw new ConfigException("RELAY_TOPIC_PREFIX must be set");
        }
        Checks.range("RELAY_TOPIC_PARTITIONS", partitions, 1, 10_000);
        Checks.range("RELAY_TOPIC_REPLICATION_FACTOR", replicationFactor, 0, Short.MAX_VALUE);
        Checks.millis("RELAY_EVENT_RETENTION_MS", eventRetention, 1, Long.MAX_VALUE);
    }

    /**
     * Reads the settings from environment variables.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @return the settings, defaults filled in
     * @throws ConfigException naming the first bad value
     */
    public static KafkaSettings fromEnv(Map<String, String> env) {
        Env vars = new Env(env);
        String prefix = vars.string("RELAY_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX);
        Topics topics;
        try {
            topics = new Topics(prefix);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("RELAY_TOPIC_PREFIX: " + e.getMessage());
        }
        return new KafkaSettings(
            vars.string("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP_SERVERS),
            topics,
            vars.integer("RELAY_TOPIC_PARTITIONS", DEFAULT_PARTITIONS),
            vars.integer("RELAY_TOPIC_REPLICATION_FACTOR", 0),
            vars.millis("RELAY_EVENT_RETENTION_MS", DEFAULT_EVENT_RETENTION));
    }
}

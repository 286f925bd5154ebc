package io.agentrelay.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The events of a run as Kafka keeps them: every committed record of the event topics (except connections' private
 * replies) between two sets of offsets, by channel and by partition. It is what clients are checked against.
 */
final class KafkaLog {

    /** One stored event. */
    record Stored(String channel, String event, String to, int partition, long offset) {
    }

    private final Map<String, List<Stored>> byChannel = new HashMap<>();
    private final Map<String, List<Stored>> byPartition = new HashMap<>();
    private final Map<String, Long> firstOffsets = new HashMap<>();
    private final Map<String, Long> endOffsets = new HashMap<>();

    KafkaLog() {
    }

    /**
     * The offsets below which every event topic's records are settled (committed or aborted) now.
     *
     * @param bootstrapServers Kafka
     * @param topics           the relay's topic names
     * @return each event partition's last stable offset
     */
    static Map<TopicPartition, Long> stableEnds(String bootstrapServers, Topics topics) {
        try (KafkaConsumer<String, Event> consumer = consumer(bootstrapServers)) {
            return consumer.endOffsets(partitions(consumer, topics), Duration.ofSeconds(30));
        }
    }

    /**
     * Reads the records between two sets of offsets.
     *
     * @param bootstrapServers Kafka
     * @param topics           the relay's topic names
     * @param from             the first offset of each partition, as {@link #stableEnds} gave it before the run
     * @param to               the end, as {@link #stableEnds} gave it after the run
     * @return the records
     * @throws TimeoutException when Kafka does not give them within a minute
     */
    static KafkaLog read(String bootstrapServers, Topics topics, Map<TopicPartition, Long> from,
                         Map<TopicPartition, Long> to) throws TimeoutException {
        KafkaLog log = new KafkaLog();
        try (KafkaConsumer<String, Event> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = new ArrayList<>(to.keySet());
            for (TopicPartition partition : partitions) {
                log.range(partitionKey(topics, partition.topic(), partition.partition()),
                    from.getOrDefault(partition, 0L), to.get(partition));
            }
            consumer.assign(partitions);
            partitions.forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= to.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("Kafka did not give the run's events within a minute");
                }
                for (ConsumerRecord<String, Event> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < to.get(partition) && record.value() != null && record.key() != null) {
                        log.add(topics, record);
                    }
                }
            }
        }
        return log;
    }

    /** A channel's events in order. */
    List<Stored> channel(String channel) {
        return byChannel.getOrDefault(channel, List.of());
    }

    /** The events of one partition of one namespace's topic that the global firehose carries, in order. */
    Map<String, List<Stored>> firehose() {
        return byPartition;
    }

    /** Where the run began in a partition of {@link #firehose()}. */
    long firstOffset(String partitionKey) {
        return firstOffsets.getOrDefault(partitionKey, 0L);
    }

    /** Where the check ends in a partition of {@link #firehose()}: later events are not part of it. */
    long endOffset(String partitionKey) {
        return endOffsets.getOrDefault(partitionKey, 0L);
    }

    /** The key of a namespace's partition, as {@link #firehose()} uses it. */
    static String partitionKey(String namespace, int partition) {
        return namespace + "/" + partition;
    }

    private static String partitionKey(Topics topics, String topic, int partition) {
        return partitionKey(topics.namespaceOfEvents(topic).map(Namespace::wireName).orElseThrow(), partition);
    }

    /** Declares a partition of the check: its events from {@code first} up to {@code end}, exclusive. */
    void range(String partitionKey, long first, long end) {
        firstOffsets.put(partitionKey, first);
        endOffsets.put(partitionKey, end);
        byPartition.put(partitionKey, new ArrayList<>());
    }

    /** Adds the next event of a partition declared with {@link #range}. */
    void add(String partitionKey, Stored stored) {
        byChannel.computeIfAbsent(stored.channel(), key -> new ArrayList<>()).add(stored);
        // Events addressed to one connection are never part of the firehose.
        if (stored.to() == null) {
            byPartition.get(partitionKey).add(stored);
        }
    }

    private void add(Topics topics, ConsumerRecord<String, Event> record) {
        Event event = record.value();
        add(partitionKey(topics, record.topic(), record.partition()),
            new Stored(record.key(), event.event(), event.to(), record.partition(), record.offset()));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, Event> consumer, Topics topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Namespace namespace : Namespace.values()) {
            if (namespace == Namespace.CONN) {
                continue;
            }
            String topic = topics.events(namespace);
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        return partitions;
    }

    private static KafkaConsumer<String, Event> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
            new StringDeserializer(), JsonSerde.of(Event.class));
    }
}

package io.agentrelay.tools.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.runtime.kafka.Partitions;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The floor of an event run taken on the very records the relay delivers: a {@code read_committed} consumer, set up
 * as the relay's (the partitions that hold the run's channels, a 10 ms fetch wait), reads what {@code bench publish}
 * writes for the run's channels and measures each event from its stamp, as the clients do. The stamp is when the
 * event came due in the publisher, so this hop holds what the relay's figure holds before the relay: the wait behind
 * the publisher's commit in flight, the commit, the fetch. The relay's latency less this one is the relay's own.
 */
final class PublishedHop implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);
    /** How long Kafka has to tell the event topic's partitions and their ends before the run is given up. */
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    /** The relay's event consumer's fetch wait (EventSource). */
    private static final int FETCH_MAX_WAIT_MS = 10;

    private final Histogram latency = FloorFigures.histogram();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread reader;

    /**
     * Starts reading from the end of each partition that holds one of the channels.
     *
     * @param kafka     the broker and topic prefix
     * @param channels  the run's channels
     * @param measuring records only while true (the run's measurement window)
     * @throws IllegalStateException when Kafka does not answer in time, or has no such event topic; the message says
     *                               which
     */
    PublishedHop(KafkaOptions kafka, Set<String> channels, AtomicBoolean measuring) {
        Channel.Scoped any = Channel.Scoped.parseScoped(channels.iterator().next());
        String topic = new Topics(kafka.topicPrefix).events(any.namespace());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            // A wrong --topic-prefix must not create the topic it names.
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer());
        try {
            // As the relay: only the partitions its subscribers want are fetched.
            int count = partitionCount(consumer, topic, kafka.bootstrapServers);
            List<TopicPartition> partitions = channels.stream()
                .map(channel -> new TopicPartition(topic, Partitions.forKey(channel, count))).distinct().toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(partition -> consumer.position(partition, KAFKA_TIMEOUT));
        } catch (RuntimeException e) {
            consumer.close();
            throw e instanceof KafkaException ? new IllegalStateException("cannot read " + topic + " from Kafka at "
                + kafka.bootstrapServers + " (is --bootstrap-servers right?): " + e.getMessage(), e) : e;
        }
        ObjectReader events = Json.readerFor(Event.class);
        this.reader = new Thread(() -> {
            try (consumer) {
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        if (measuring.get() && channels.contains(record.key())) {
                            record(events, record.value());
                        }
                    }
                }
            }
        }, "floor-published");
        reader.start();
    }

    private static int partitionCount(KafkaConsumer<?, ?> consumer, String topic, String bootstrapServers) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
        if (partitions.isEmpty()) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " has no topic " + topic
                + " (is --topic-prefix right?)");
        }
        return partitions.size();
    }

    private void record(ObjectReader events, byte[] value) {
        Instant now = Instant.now();
        try {
            Event event = events.readValue(value);
            synchronized (latency) {
                latency.recordValue(Math.max(0, event.ts().until(now, ChronoUnit.MICROS)));
            }
        } catch (IOException e) {
            // Not a bench event: not part of the run.
        }
    }

    /** The latency of the published events, read straight from Kafka, in microseconds. */
    Histogram latency() {
        synchronized (latency) {
            return latency.copy();
        }
    }

    /** Stops the reader; an interrupt cuts the wait short and stays set for the caller. */
    @Override
    public void close() {
        stop.set(true);
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

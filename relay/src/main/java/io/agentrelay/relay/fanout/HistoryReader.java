package io.agentrelay.relay.fanout;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a channel's past events straight from its partition, for resumes (and replays), on a small pool of its own so
 * that history never delays the live fan-out. Each read uses a short-lived consumer assigned to the one partition:
 * the cost grows with what that partition received since the starting point, not with all traffic.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    private final String nodeId;
    private final ExecutorService pool;
    private final ObjectReader eventReader = Json.readerFor(Event.class);
    private final AtomicInteger readers = new AtomicInteger();

    /**
     * @param settings how to reach Kafka
     * @param nodeId   this node's id, for client ids
     * @param threads  reads that may run at once; more wait in a queue
     */
    public HistoryReader(KafkaSettings settings, String nodeId, int threads) {
        this.settings = settings;
        this.nodeId = nodeId;
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(1_000),
            task -> {
                Thread thread = new Thread(task, "history-" + nodeId + "-" + readers.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
    }

    /**
     * Runs a read on the history pool.
     *
     * @param read what to do with a {@link Partition}
     * @throws java.util.concurrent.RejectedExecutionException when too many reads are waiting
     */
    public void submit(Read read) {
        pool.execute(() -> {
            try (KafkaConsumer<String, byte[]> consumer = newConsumer()) {
                read.run(new Partition(consumer));
            } catch (RuntimeException e) {
                LOG.warn("Reading history failed", e);
            }
        });
    }

    /** Lets running reads notice the end (their sessions are closed by now), then interrupts what is left. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        return new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ConsumerConfig.CLIENT_ID_CONFIG, nodeId + "-history",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis()),
            new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** A piece of work on one partition's history. */
    @FunctionalInterface
    public interface Read {
        /**
         * @param partition access to the partition's history; valid only during this call
         */
        void run(Partition partition);
    }

    /** One channel's event, as read from history. */
    public record HistoricEvent(long offset, long timestamp, Event event) {
    }

    /** A consumer of one read, with the questions a resume or replay asks. */
    public final class Partition {
        private final KafkaConsumer<String, byte[]> consumer;

        private Partition(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        /** The first offset still kept (retention deletes older ones). */
        public long firstOffset(TopicPartition partition) {
            return consumer.beginningOffsets(List.of(partition), METADATA_TIMEOUT).get(partition);
        }

        /** The offset the next committed event will get. */
        public long endOffset(TopicPartition partition) {
            return consumer.endOffsets(List.of(partition), METADATA_TIMEOUT).get(partition);
        }

        /**
         * The first offset whose event is at or after a time, or the end offset when there is none.
         *
         * @param partition   the partition
         * @param epochMillis the time
         * @return the offset
         */
        public long offsetAt(TopicPartition partition, long epochMillis) {
            var found = consumer.offsetsForTimes(Map.of(partition, epochMillis), METADATA_TIMEOUT).get(partition);
            return found == null ? endOffset(partition) : found.offset();
        }

        /**
         * Reads one channel's events in {@code [from, to)} in order, skipping other channels' records.
         *
         * @param partition the partition
         * @param channel   the channel's name (the record key)
         * @param from      the first offset
         * @param to        the offset to stop before
         * @param sink      receives each of the channel's events; returns false to stop early
         * @return how many events the sink received
         */
        public long read(TopicPartition partition, String channel, long from, long to, EventSink sink) {
            long count = 0;
            consumer.assign(Set.of(partition));
            consumer.seek(partition, from);
            while (consumer.position(partition, METADATA_TIMEOUT) < to) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= to) {
                        return count;
                    }
                    if (!channel.equals(record.key()) || record.value() == null) {
                        continue;
                    }
                    Event event;
                    try {
                        event = eventReader.readValue(record.value());
                    } catch (IOException | RuntimeException e) {
                        LOG.error("Skipping unreadable event at {} offset {}", partition, record.offset(), e);
                        continue;
                    }
                    count++;
                    if (!sink.accept(new HistoricEvent(record.offset(), record.timestamp(), event))) {
                        return count;
                    }
                }
            }
            return count;
        }
    }

    /** Receives events read from history. */
    @FunctionalInterface
    public interface EventSink {
        /**
         * @param event the next event
         * @return true to go on, false to stop
         */
        boolean accept(HistoricEvent event);
    }
}

package io.agentrelay.runtime.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads channels' past events straight from their event partition, with a consumer of its own that joins no group
 * and commits nothing. The cost of a read grows with what that partition holds in the range, not with all traffic,
 * nor with how many of its channels the read serves.
 *
 * <p>Not thread-safe: one reader per thread, closed after use.
 */
public final class ChannelHistory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelHistory.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final ObjectReader eventReader = Json.readerFor(Event.class);
    private final Duration timeout;

    private ChannelHistory(KafkaConsumer<String, byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    /**
     * @param bootstrapServers the Kafka cluster
     * @param clientId         the consumer's client id
     * @param timeout          how long each question to Kafka may take
     * @return a reader; close it after use
     */
    public static ChannelHistory open(String bootstrapServers, String clientId, Duration timeout) {
        return new ChannelHistory(new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.CLIENT_ID_CONFIG, clientId,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            // Asking about a topic that does not exist (a wrong prefix) must not create it on a broker that allows it.
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
            // Executors write in transactions; aborted steps are not history.
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            // A seek below what retention kept fails instead of jumping to the end: a read that skipped to the end
            // would pass over the events it was asked for and look complete.
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()),
            new StringDeserializer(), new ByteArrayDeserializer()), timeout);
    }

    /**
     * @param topic a topic
     * @return its partition count
     * @throws org.apache.kafka.common.errors.TimeoutException when Kafka does not answer in time
     */
    public int partitionCount(String topic) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalArgumentException("topic " + topic + " does not exist");
        }
        return partitions.size();
    }

    /** The first offset still kept; retention deleted the ones before. */
    public long firstOffset(TopicPartition partition) {
        return consumer.beginningOffsets(List.of(partition), timeout).get(partition);
    }

    /** The offset the next committed event will get. */
    public long endOffset(TopicPartition partition) {
        return consumer.endOffsets(List.of(partition), timeout).get(partition);
    }

    /**
     * @param partition   the partition
     * @param epochMillis a moment
     * @return the first offset whose record time is at or after that moment, or the end offset when there is none
     */
    public long offsetAt(TopicPartition partition, long epochMillis) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(partition, epochMillis), timeout).get(partition);
        return found == null ? endOffset(partition) : found.offset();
    }

    /**
     * Reads one channel's events in {@code [from, to)}, in order, skipping other channels' records and unreadable
     * ones.
     *
     * @param partition the partition that holds the channel
     * @param channel   the channel's name (the record key)
     * @param from      the first offset
     * @param to        the offset to stop before
     * @param sink      receives each of the channel's events; returns false to stop early
     * @return how many events the sink received
     */
    public long read(TopicPartition partition, String channel, long from, long to, Sink sink) {
        long[] count = {0};
        read(partition, from, to, channel::equals, (key, event) -> {
            count[0]++;
            return sink.accept(event);
        });
        return count[0];
    }

    /**
     * Reads the events of several channels of one partition in {@code [from, to)}, in offset order, in one pass:
     * resumes waiting on the same partition share it instead of reading it once each.
     *
     * @param partition the partition
     * @param from      the first offset
     * @param to        the offset to stop before
     * @param channels  the channels (record keys) whose events the sink receives; other records are skipped unread
     * @param sink      receives each event of those channels; returns false to stop after it
     * @return the offset to go on from: {@code to} when the range was read, else the one after the sink stopped
     * @throws org.apache.kafka.clients.consumer.OffsetOutOfRangeException when retention deleted {@code from} meanwhile
     */
    public long read(TopicPartition partition, long from, long to, Predicate<String> channels, ChannelsSink sink) {
        consumer.assign(Set.of(partition));
        consumer.seek(partition, from);
        while (consumer.position(partition, timeout) < to) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (record.offset() >= to) {
                    return to;
                }
                HistoricEvent event = decode(record, channels);
                if (event != null && !sink.accept(record.key(), event)) {
                    return record.offset() + 1;
                }
            }
        }
        return to;
    }

    /**
     * Reads ranges of several partitions as one history in record time: each partition in offset order, so every
     * channel's events keep their exact order, and across partitions the earliest record first (the first partition
     * of the map first on a tie). A partition whose next record has not been fetched yet holds the others back; each
     * partition holding one fetched batch is paused meanwhile, so at most a batch per partition waits in memory.
     *
     * @param ranges   per partition, the first offset and the offset to stop before
     * @param channels the channels (record keys) whose events the sink receives
     * @param sink     receives each event of those channels with its partition; returns false to stop
     * @return whether every range was read to its end (false when the sink stopped)
     */
    public boolean readMerged(Map<TopicPartition, long[]> ranges, Predicate<String> channels, PartitionSink sink) {
        Map<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> waiting = new LinkedHashMap<>();
        ranges.forEach((partition, range) -> {
            if (range[0] < range[1]) {
                waiting.put(partition, new ArrayDeque<>());
            }
        });
        consumer.assign(waiting.keySet());
        waiting.keySet().forEach(partition -> consumer.seek(partition, ranges.get(partition)[0]));
        Set<TopicPartition> unread = new HashSet<>(waiting.keySet());
        while (!waiting.isEmpty()) {
            if (waiting.values().stream().anyMatch(ArrayDeque::isEmpty)) {
                consumer.pause(waiting.entrySet().stream().filter(entry -> !entry.getValue().isEmpty())
                    .map(Map.Entry::getKey).toList());
                consumer.resume(waiting.entrySet().stream().filter(entry -> entry.getValue().isEmpty())
                    .map(Map.Entry::getKey).toList());
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ranges.get(partition)[1] && record.key() != null
                        && channels.test(record.key())) {
                        waiting.get(partition).add(record);
                    }
                }
                // A partition read to its end with nothing left waiting is done; one whose fetched records were all
                // other channels' is polled again.
                for (TopicPartition partition : List.copyOf(unread)) {
                    if (consumer.position(partition, timeout) >= ranges.get(partition)[1]) {
                        unread.remove(partition);
                    }
                }
                waiting.entrySet().removeIf(entry -> entry.getValue().isEmpty() && !unread.contains(entry.getKey()));
                continue;
            }
            Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> earliest = null;
            for (var entry : waiting.entrySet()) {
                if (earliest == null || entry.getValue().peek().timestamp() < earliest.getValue().peek().timestamp()) {
                    earliest = entry;
                }
            }
            ConsumerRecord<String, byte[]> record = earliest.getValue().poll();
            if (earliest.getValue().isEmpty() && !unread.contains(earliest.getKey())) {
                waiting.remove(earliest.getKey());
            }
            HistoricEvent event = decode(record, channels);
            if (event != null && !sink.accept(earliest.getKey(), record.key(), event)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Follows several partitions at once, each from its offset, handing over their events as they are committed, until
     * the sink stops or {@link #wakeup} is called: the live part of a tail, after its history was read with
     * {@link #readMerged} up to the offsets it starts from. Each
     * partition's events come in order; partitions interleave as Kafka hands them over.
     *
     * @param from     the offset to start at, per partition
     * @param channels the channels (record keys) whose events the sink receives
     * @param sink     receives each event of those channels with its partition; returns false to stop
     */
    public void follow(Map<TopicPartition, Long> from, Predicate<String> channels, PartitionSink sink) {
        consumer.assign(from.keySet());
        // The read of the history before may have left some paused, and a partition assigned again stays paused.
        consumer.resume(from.keySet());
        from.forEach(consumer::seek);
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    HistoricEvent event = decode(record, channels);
                    if (event != null && !sink.accept(new TopicPartition(record.topic(), record.partition()),
                        record.key(), event)) {
                        return;
                    }
                }
            }
        } catch (WakeupException e) {
            // wakeup(): the reader was asked to stop.
        }
    }

    /** Ends a {@link #follow} from another thread (a shutdown hook), or the next call to Kafka if none runs. */
    public void wakeup() {
        consumer.wakeup();
    }

    /** The event of a record of one of the channels, or null for another channel's record or an unreadable one. */
    private HistoricEvent decode(ConsumerRecord<String, byte[]> record, Predicate<String> channels) {
        if (record.key() == null || record.value() == null || !channels.test(record.key())) {
            return null;
        }
        try {
            return new HistoricEvent(record.offset(), record.timestamp(), eventReader.readValue(record.value()));
        } catch (IOException | RuntimeException e) {
            LOG.error("Skipping unreadable event at {}-{} offset {}", record.topic(), record.partition(),
                record.offset(), e);
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close();
    }

    /**
     * One event as read from history.
     *
     * @param offset    its offset
     * @param timestamp its record time, epoch milliseconds
     * @param event     the event
     */
    public record HistoricEvent(long offset, long timestamp, Event event) {
    }

    /** Receives the events of several channels read from history. */
    @FunctionalInterface
    public interface ChannelsSink {
        /**
         * @param channel the event's channel
         * @param event   the next event
         * @return true to go on, false to stop
         */
        boolean accept(String channel, HistoricEvent event);
    }

    /** Receives the events a {@link #follow} reads, with the partition each came from. */
    @FunctionalInterface
    public interface PartitionSink {
        /**
         * @param partition where the event is
         * @param channel   the event's channel
         * @param event     the next event
         * @return true to go on, false to stop
         */
        boolean accept(TopicPartition partition, String channel, HistoricEvent event);
    }

    /** Receives events read from history. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param event the next event
         * @return true to go on, false to stop
         */
        boolean accept(HistoricEvent event);
    }
}

package io.agentrelay.runtime.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.agentrelay.runtime.config.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole compacted state topic, from the start, then follows it, handing every record to a listener on a
 * thread of its own. Relays and executors build their pictures of live entities (panels, sessions) on it.
 *
 * <p>{@link #caughtUp()} is the barrier for read-your-writes: it completes once the view has read everything that
 * was in the topic when it was called.
 */
public final class StateView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateView.class);
    private static final Duration POLL = Duration.ofMillis(200);
    // How long one call may wait for Kafka before the loop goes round again (and can be closed).
    private static final Duration KAFKA_WAIT = Duration.ofSeconds(5);

    /** Told about each record, in offset order per key; called on the view's thread only. */
    public interface Listener {
        /**
         * @param key   the entity key, such as {@code panel:todo}
         * @param value the latest snapshot, or null when the entity is gone (a tombstone)
         */
        void onRecord(String key, byte[] value);

        /** Called after each batch of records, so a listener can publish one change for many records. */
        default void onBatchEnd() {
        }
    }

    private final String topic;
    private final Listener listener;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> barrierRequests = new ConcurrentLinkedQueue<>();
    private final List<Barrier> barriers = new ArrayList<>();
    private final Thread thread;

    /**
     * @param settings how to reach Kafka, and the state topic's name
     * @param clientId the consumer's client id
     * @param listener told about each record
     */
    public StateView(KafkaSettings settings, String clientId, Listener listener) {
        this.topic = settings.topics().state();
        this.listener = listener;
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ConsumerConfig.CLIENT_ID_CONFIG, clientId,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
    }

    /** Starts reading. */
    public void start() {
        thread.start();
    }

    /**
     * @return completes once every record that is in the topic now has been handed to the listener
     */
    public CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        barrierRequests.add(done);
        return done;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        barrierRequests.forEach(done -> done.cancel(false));
    }

    private void run() {
        try {
            boolean assigned = assignAll();
            while (assigned && !closed.get()) {
                try {
                    takeBarrierRequests();
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    for (ConsumerRecord<String, byte[]> record : records) {
                        if (record.key() != null) {
                            listener.onRecord(record.key(), record.value());
                        }
                    }
                    if (!records.isEmpty()) {
                        listener.onBatchEnd();
                    }
                    releaseBarriers();
                } catch (WakeupException e) {
                    // close() ends the loop.
                } catch (KafkaException e) {
                    LOG.warn("Reading the state topic failed; retrying", e);
                } catch (RuntimeException e) {
                    LOG.error("A state listener failed; the view goes on", e);
                }
            }
        } catch (WakeupException e) {
            // Closed while looking up the partitions.
        } finally {
            consumer.close();
        }
    }

    /**
     * Assigns every partition of the topic, waiting for Kafka as long as it takes: the view is useless without.
     *
     * @return false when closed or interrupted first
     */
    private boolean assignAll() {
        while (!closed.get()) {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, KAFKA_WAIT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                if (!partitions.isEmpty()) {
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    return true;
                }
                LOG.warn("The state topic {} has no partitions yet; retrying", topic);
                Thread.sleep(KAFKA_WAIT.toMillis());
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.warn("Cannot find the state topic's partitions yet; retrying", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Turns each request into a barrier at the topic's ends as of now; a request stays queued while Kafka cannot
     * say where they are, so that no caller waits for a barrier that was never set.
     */
    private void takeBarrierRequests() {
        CompletableFuture<Void> request;
        while ((request = barrierRequests.peek()) != null) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), KAFKA_WAIT);
            barriers.add(new Barrier(ends, request));
            barrierRequests.remove(request);
        }
    }

    private void releaseBarriers() {
        barriers.removeIf(barrier -> {
            boolean reached = barrier.ends().entrySet().stream()
                .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            if (reached) {
                barrier.done().complete(null);
            }
            return reached;
        });
    }

    private record Barrier(Map<TopicPartition, Long> ends, CompletableFuture<Void> done) {
    }
}

package io.agentrelay.executor.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every executor's picture of its pool: the latest {@link WorkerState} of each worker, read from the compacted state
 * topic (all of it, from the start, then following). Runs a consumer on a thread of its own.
 */
final class PoolView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PoolView.class);
    private static final String WORKER_KEY_PREFIX = "worker:";

    private final String poolId;
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final ObjectReader reader = Json.readerFor(WorkerState.class);
    private final Map<String, WorkerState> workers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;

    PoolView(ExecutorConfig config) {
        this.poolId = config.poolId();
        this.topic = config.kafka().topics().state();
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
            ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + "-pool-view",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "pool-view-" + config.workerId());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The pool's workers as last seen, offline ones included. */
    List<WorkerState> workers() {
        return List.copyOf(workers.values());
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
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!closed.get()) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        accept(record);
                    }
                } catch (WakeupException e) {
                    // close() ends the loop.
                } catch (KafkaException e) {
                    LOG.warn("Reading worker states failed; retrying", e);
                }
            }
        } catch (WakeupException e) {
            // Closed while looking up the partitions.
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || !record.key().startsWith(WORKER_KEY_PREFIX) || record.value() == null) {
            return;
        }
        try {
            WorkerState state = reader.readValue(record.value());
            if (poolId.equals(state.poolId())) {
                workers.put(state.workerId(), state);
            }
        } catch (IOException e) {
            LOG.warn("Skipping unreadable worker state {} at offset {}", record.key(), record.offset(), e);
        }
    }
}

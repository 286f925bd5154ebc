package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.agentrelay.common.config.ExecutorConfig;
import io.agentrelay.common.json.JsonSerde;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.topic.Partitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's consumer loop on the command topic, as a member of the executors' consumer group: each executor owns
 * the entities whose keys hash to its partitions.
 *
 * <p>Runs on one thread of its own ({@link #run()}); {@link #close()} may be called from any thread. Offsets are
 * committed after each batch was handed to the engine, and when partitions are revoked.
 */
public final class CommandConsumer implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, Command> consumer;
    private final String topic;
    private final CommandHandler handler;
    private final Runnable onRevoked;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitionCount;

    CommandConsumer(ExecutorConfig config, CommandHandler handler, Runnable onRevoked) {
        this.topic = config.kafka().topics().commands();
        this.handler = handler;
        this.onRevoked = onRevoked;
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
            ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + "-commands",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            // A new group starts with commands sent while no executor ran: none may be skipped.
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), JsonSerde.of(Command.class));
    }

    /** Polls and handles commands until {@link #close()}. */
    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!closed.get()) {
                pollOnce();
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } finally {
            try {
                consumer.close();
            } finally {
                finished.countDown();
            }
        }
    }

    /**
     * Whether this executor now owns an entity: whether the entity's key hashes to a command partition it is assigned.
     *
     * @param key an entity key such as {@code pool:local}
     * @return true when it owns it
     */
    public boolean owns(String key) {
        int partitions = partitionCount;
        return partitions > 0 && owned.contains(Partitions.forKey(key, partitions));
    }

    /** Stops the loop and waits for it to commit and leave the group. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            if (!finished.await(30, TimeUnit.SECONDS)) {
                LOG.warn("Command consumer did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollOnce() {
        ConsumerRecords<String, Command> records;
        try {
            records = consumer.poll(POLL);
        } catch (RecordDeserializationException e) {
            // A record no executor can read must not stop the partition behind it.
            LOG.error("Skipping unreadable command at {} offset {}", e.topicPartition(), e.offset(), e);
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return;
        } catch (AuthorizationException e) {
            throw e;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Polling commands failed; retrying", e);
            return;
        }
        for (ConsumerRecord<String, Command> record : records) {
            if (record.value() != null) {
                handler.handle(record.value());
            }
        }
        if (!records.isEmpty()) {
            commit();
        }
    }

    private void commit() {
        try {
            consumer.commitSync();
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // The next commit covers these offsets; a rebalance in between redelivers them.
            LOG.warn("Committing command offsets failed", e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            owned = Set.of();
            if (!partitions.isEmpty()) {
                commit();
                onRevoked.run();
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("Now owning command partitions {}", partitions);
            partitionCount = consumer.partitionsFor(topic).size();
            owned = consumer.assignment().stream().map(TopicPartition::partition).collect(Collectors.toSet());
        }
    }
}

package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.executor.panel.PanelEngine;
import io.agentrelay.executor.workflow.WorkflowEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The executor's consumer loop on the command topic, as a member of the executors' consumer group: each executor owns
 * the entities whose keys hash to its partitions.
 *
 * <ul>
 *   <li>A command's offset is committed in the transaction of the step its handling produced, never on its own; every
 *       transaction carries the group's generation, which fences an executor that lost its partitions.</li>
 *   <li>When partitions are assigned, they stay paused until the workflows they own are continued from their last
 *       committed snapshots, however long Kafka takes to serve those; when partitions are revoked, their runs stop
 *       without a word and what is pending commits, so that the next owner starts from a consistent state.</li>
 *   <li>When more nodes wait for a tool thread than {@code EXECUTOR_MAX_QUEUED_NODES}, the consumer pauses its
 *       partitions, and resumes them below half of it: the backlog stays in Kafka, not in memory.</li>
 *   <li>{@link #close()} stops taking commands, lets running workflows finish within the shutdown timeout, hands the
 *       rest over, commits, and leaves the group. {@link #abort()} just stops.</li>
 * </ul>
 *
 * <p>Runs on one thread of its own ({@link #run()}); {@link #close()} may be called from any thread.
 */
public final class CommandConsumer implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    // How long one attempt to take over partitions may wait for Kafka; the loop polls between attempts.
    private static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(5);

    private final ExecutorConfig config;
    private final KafkaConsumer<String, Command> consumer;
    private final String topic;
    private final CommandHandler handler;
    private final WorkflowEngine engine;
    private final PanelEngine panels;
    private final TransactionalSink sink;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean graceful = new AtomicBoolean(true);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final LoopProgress progress = new LoopProgress("command loop");
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitionCount;
    // Assigned partitions whose workflows are not continued yet: none of their commands is handled meanwhile.
    private boolean takingOver;
    private boolean backlogged;
    private boolean paused;
    // Its own refresh thread: closed with the consumer.
    private volatile KafkaClientMetrics clientMetrics;
    // From a command's write to Kafka (its record's time, the relay's clock) to this executor reading it.
    private volatile Timer commandDelay;

    CommandConsumer(ExecutorConfig config, CommandHandler handler, WorkflowEngine engine, PanelEngine panels,
                    TransactionalSink sink) {
        this.config = config;
        this.topic = config.kafka().topics().commands();
        this.handler = handler;
        this.engine = engine;
        this.panels = panels;
        this.sink = sink;
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
            ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + "-commands",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            // A new group starts with commands sent while no executor ran: none may be skipped.
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            // Eager rebalancing: every rebalance revokes every partition, so every run stops and its pending steps
            // commit before any new owner starts; the committer's fencing relies on it.
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName(),
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis(),
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) config.sessionTimeout().toMillis() / 3),
            new StringDeserializer(), JsonSerde.of(Command.class));
    }

    /**
     * Exports the command consumer's own metrics (lag per partition, fetch rates).
     *
     * @param registry where to
     */
    void bindMetrics(MeterRegistry registry) {
        clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(registry);
        commandDelay = Timer.builder("executor.command.delay")
            .description("time from a command's write to Kafka to its read by this executor")
            .publishPercentileHistogram()
            .register(registry);
    }

    /** Polls and handles commands until {@link #close()}. */
    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!closed.get()) {
                progress.turn();
                takeOver();
                holdOrRelease();
                pollOnce();
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            // A bug, or a failure no retry mends (such as not being allowed to read): /health says DOWN from now on.
            LOG.error("The command loop stopped", e);
        } finally {
            try {
                if (graceful.get()) {
                    engine.drain(config.shutdownTimeout());
                    sink.flush(Duration.ofSeconds(10));
                }
                if (clientMetrics != null) {
                    clientMetrics.close();
                }
                consumer.close();
            } finally {
                progress.ended();
                finished.countDown();
            }
        }
    }

    /**
     * @param stall how long one turn of the loop may take
     * @return what is wrong with the command loop, if anything: it stopped, or one turn took longer
     */
    Optional<String> problem(Duration stall) {
        return progress.problem(stall);
    }

    /**
     * Whether this executor now owns an entity: whether the entity's key hashes to a command partition it is assigned.
     *
     * @param key an entity key such as {@code pool:local}
     * @return true when it owns it
     */
    public boolean owns(String key) {
        return owns(key, owned, partitionCount);
    }

    private static boolean owns(String key, Set<Integer> partitions, int partitionCount) {
        return partitionCount > 0 && partitions.contains(Partitions.forKey(key, partitionCount));
    }

    /** Stops taking commands, hands over what runs, commits, and leaves the group. */
    @Override
    public void close() {
        stop();
    }

    /** Closes the consumer of a loop that never ran (its executor failed to start). */
    void closeUnstarted() {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        consumer.close();
    }

    /** Stops at once, as a killed process would: nothing more is handled or committed. */
    void abort() {
        graceful.set(false);
        stop();
    }

    private void stop() {
        if (closed.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            long wait = config.shutdownTimeout().toSeconds() + 30;
            if (!finished.await(wait, TimeUnit.SECONDS)) {
                LOG.warn("Command consumer did not stop within {} s", wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Continues the workflows of newly assigned partitions from their committed snapshots. Kafka may not answer in
     * time (a broker is failing over, the state topic is behind): then the partitions stay paused and the next turn
     * of the loop tries again, so that no workflow is left without an owner and no command of them overtakes them.
     */
    private void takeOver() {
        if (!takingOver) {
            return;
        }
        try {
            Set<TopicPartition> assignment = consumer.assignment();
            int count = consumer.partitionsFor(topic, TAKE_OVER_WAIT).size();
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition partition : assignment) {
                starts.put(partition, consumer.position(partition, TAKE_OVER_WAIT));
            }
            // The continued runs' first steps commit with the group's new generation.
            sink.assigned(starts, consumer.groupMetadata());
            Set<Integer> partitions = assignment.stream().map(TopicPartition::partition).collect(Collectors.toSet());
            engine.resumeOwned(key -> owns(key, partitions, count), config.workerId(), TAKE_OVER_WAIT);
            partitionCount = count;
            owned = partitions;
            takingOver = false;
            LOG.info("Took over command partitions {}", assignment);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException | RelayException e) {
            LOG.warn("Cannot take over the assigned command partitions yet ({}); retrying", e.getMessage());
        }
    }

    /** Pauses the partitions while they are taken over or while too many nodes wait for a tool thread. */
    private void holdOrRelease() {
        int queued = engine.queuedNodes();
        if (!backlogged && queued >= config.maxQueuedNodes()) {
            LOG.info("{} nodes wait for a tool thread; pausing commands", queued);
            backlogged = true;
        } else if (backlogged && queued < config.maxQueuedNodes() / 2) {
            backlogged = false;
        }
        boolean hold = takingOver || backlogged;
        if (hold != paused) {
            if (hold) {
                consumer.pause(consumer.assignment());
            } else {
                consumer.resume(consumer.assignment());
            }
            paused = hold;
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
            sink.consumed(e.topicPartition(), e.offset() + 1, consumer.groupMetadata());
            return;
        } catch (AuthorizationException | WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Polling commands failed; retrying", e);
            return;
        }
        Timer delay = commandDelay;
        for (ConsumerRecord<String, Command> record : records) {
            if (delay != null) {
                delay.record(Math.max(0, System.currentTimeMillis() - record.timestamp()), TimeUnit.MILLISECONDS);
            }
            if (record.value() != null) {
                Command command = record.value();
                // Log lines about this command name it (fields of the JSON log format).
                MDC.put("command_id", command.id().toString());
                MDC.put("kind", command.kind());
                MDC.put("entity", command.target().name());
                Header trace = record.headers().lastHeader(Traceparent.HEADER);
                Traceparent.parse(trace == null ? null : trace.value()).orElseGet(Traceparent::newTrace).enter();
                try {
                    handler.handle(command);
                } finally {
                    Traceparent.exit();
                    MDC.remove("command_id");
                    MDC.remove("kind");
                    MDC.remove("entity");
                }
            }
            sink.consumed(new TopicPartition(record.topic(), record.partition()), record.offset() + 1,
                consumer.groupMetadata());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Set<Integer> revoked = partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
            owned = owned.stream().filter(partition -> !revoked.contains(partition)).collect(Collectors.toSet());
            engine.stopUnowned(CommandConsumer.this::owns);
            panels.forgetOwned();
            // What is pending (steps and offsets of the revoked partitions) commits before the next owner starts.
            sink.flush(Duration.ofSeconds(10));
            sink.revoked(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("Now owning command partitions {}", consumer.assignment());
            // Kafka answers slowly or not at all while it fails over: the take-over happens in the loop, not here.
            takingOver = !partitions.isEmpty();
            if (takingOver) {
                consumer.pause(partitions);
                paused = true;
            }
        }
    }
}

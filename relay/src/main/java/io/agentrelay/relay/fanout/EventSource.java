package io.agentrelay.relay.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reading half of the fan-out, as Centrifuge's broker is to its hub: the node's one event consumer. It reads the
 * event partitions that the {@link Dispatcher} wants (interest-based assignment, no consumer group), and each for a
 * while after it stopped wanting it; it starts at the end when a partition is wanted again, and hands every record
 * read to the dispatcher. It knows nothing of sessions, filters or dialects.
 *
 * <p>Every event partition stays assigned and those that nobody wants are paused ({@link ReadingPlan}), so that a
 * subscription to a partition not read yet costs one offset lookup and at most one short fetch wait, and no fetch of
 * the partitions already read is interrupted or delayed by it.
 *
 * <p>Threads: the consumer lives on one thread of its own; that consumer thread, started by {@link #start}, is the
 * only caller of the dispatcher. Other threads call {@link #liveStart}, {@link #followInterest} and
 * {@link #whenRead}, which queue a request for that thread (the first two wake the consumer with
 * {@link KafkaConsumer#wakeup()}); their futures complete on the consumer thread. {@link #close} may be called from
 * any thread but the consumer's (from the dispatcher, it would wait for its own thread to end).
 */
final class EventSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventSource.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(5);
    /*
     * A partition that starts being read joins the next fetch, once the one in flight returns: the broker holds an
     * empty fetch for up to this long. Kafka's default of 500 ms made a fresh channel's first event wait that long;
     * 10 ms costs at most 100 empty fetches a second while nothing happens, and nothing under load, where fetches
     * return as soon as events are there.
     */
    private static final int FETCH_MAX_WAIT_MS = 10;
    /** How long a partition is still read after its last subscriber left, for the next subscriber to find it read. */
    private static final Duration LINGER = Duration.ofSeconds(30);

    private final ChannelPartitions partitions;
    private final Dispatcher dispatcher;
    private final Runnable countRead;
    private final ReadingPlan plan = new ReadingPlan(LINGER.toNanos());
    private final Set<TopicPartition> eventPartitions;
    // Its own refresh thread: closed with the source.
    private volatile KafkaClientMetrics clientMetrics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final BlockingQueue<AssignmentRequest> assignmentRequests = new LinkedBlockingQueue<>();
    /*
     * Set by the request that wakes the consumer, cleared by the consumer before it takes the queued requests: the
     * requests queued meanwhile ride on that one wakeup. A storm of closing sessions, each of which brings the
     * reading up to date, otherwise woke the consumer (and cut short its fetch) once per session.
     */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Queue<ReadWaiter> readWaiters = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /*
     * Set by the consumer thread as it ends, before it answers what is queued: a request queued later sees it and is
     * answered by its caller, never left waiting for a thread that is gone.
     */
    private volatile boolean ended;
    private final CompletableFuture<Void> endedFuture = new CompletableFuture<>();
    private final Thread thread;

    /**
     * @param settings   how to reach Kafka
     * @param partitions the event topics' partitions
     * @param nodeId     this node's id, for the consumer's client id
     * @param countRead  counts one record read (the node's {@code relay.events.consumed}), wanted or not
     * @param dispatcher what to read, and where the records go
     */
    EventSource(KafkaSettings settings, ChannelPartitions partitions, String nodeId, Runnable countRead,
                Dispatcher dispatcher) {
        this.partitions = partitions;
        this.dispatcher = dispatcher;
        this.countRead = countRead;
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ConsumerConfig.CLIENT_ID_CONFIG, nodeId + "-events",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS,
            // Executors write events in transactions; aborted steps must never reach a client.
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer());
        this.eventPartitions = partitions.partitionsOf(EnumSet.allOf(Namespace.class));
        this.thread = new Thread(this::run, "fanout-" + nodeId);
    }

    /** Starts the consumer thread. */
    void start() {
        thread.start();
    }

    /** Whether the consumer thread still reads: false once the node stops, or after the thread failed. */
    boolean isRunning() {
        return !ended;
    }

    /**
     * Completes on the consumer thread once it has ended, whatever ended it; by then {@link #isRunning()} is false and
     * every request is refused. It never starts again.
     */
    CompletableFuture<Void> ended() {
        return endedFuture;
    }

    /**
     * Brings the reading up to date with the dispatcher's wishes, and finds where a partition's live events start.
     *
     * @param partition a partition the dispatcher wants
     * @return completes once the partition is read from a known position, with the position just before the first
     *     event that is dispatched; empty when Kafka did not tell, or the partition is not read; fails with
     *     {@link ErrorCode#UNAVAILABLE} once the consumer thread has ended
     */
    CompletableFuture<Optional<Position>> liveStart(TopicPartition partition) {
        return requestAssignment(partition);
    }

    /**
     * Brings the reading up to date with the dispatcher's wishes.
     *
     * @return completes once the partitions it wants are read; fails once the consumer thread has ended
     */
    CompletableFuture<Void> followInterest() {
        return requestAssignment(null).thenApply(ignored -> null);
    }

    /**
     * Completes, on the consumer thread, once every record of a partition before an offset was dispatched, or once
     * the partition is no longer read: what is sent on completion reaches the sessions after those events.
     *
     * @param partition an event partition
     * @param offset    the offset
     * @return completes when the partition is read up to the offset, or not read (nothing is, once the consumer
     *     thread has ended)
     */
    CompletableFuture<Void> whenRead(TopicPartition partition, long offset) {
        ReadWaiter waiter = new ReadWaiter(partition, offset, new CompletableFuture<>());
        // No wakeup: the loop checks the waiters after every poll, and a wakeup would interrupt position lookups.
        readWaiters.add(waiter);
        if (ended) {
            answerQueued();
        }
        return waiter.done();
    }

    /**
     * Exports the consumer's own metrics (fetch rates, lag per partition).
     *
     * @param registry where to
     */
    void bindMetrics(MeterRegistry registry) {
        clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(registry);
    }

    /** Stops the consumer thread and closes the consumer. */
    @Override
    public void close() {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        if (closed.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request with a null partition only brings the reading up to date. */
    private CompletableFuture<Optional<Position>> requestAssignment(TopicPartition partition) {
        AssignmentRequest request = new AssignmentRequest(partition, new CompletableFuture<>());
        assignmentRequests.add(request);
        if (ended) {
            answerQueued();
        } else if (wakeupPending.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        return request.done();
    }

    /**
     * Answers every queued request once the consumer thread has ended: a subscription then fails (the client gets an
     * error frame, not a silence), and a read waiter completes, as for a partition not read.
     */
    private void answerQueued() {
        RelayException stopped = new RelayException(ErrorCode.UNAVAILABLE, EventFanout.READER_ENDED);
        for (AssignmentRequest request; (request = assignmentRequests.poll()) != null; ) {
            request.done().completeExceptionally(stopped);
        }
        for (ReadWaiter waiter; (waiter = readWaiters.poll()) != null; ) {
            waiter.done().complete(null);
        }
    }

    private void run() {
        List<AssignmentRequest> waiting = new ArrayList<>();
        try {
            // Assigned once, paused until wanted: the consumer learns every event topic's leaders now, not when a
            // subscriber waits for a partition.
            consumer.assign(eventPartitions);
            consumer.pause(eventPartitions);
            while (!closed.get()) {
                try {
                    wakeupPending.set(false);
                    for (AssignmentRequest request; (request = assignmentRequests.poll()) != null; ) {
                        waiting.add(request);
                    }
                    if (!waiting.isEmpty() || plan.stopDue(System.nanoTime())) {
                        syncReading();
                        waiting.forEach(this::completeWithLiveStart);
                        waiting.clear();
                    }
                    releaseReadWaiters();
                    if (!plan.readsAny()) {
                        // Nobody on this node listens to anything: wait for a subscription instead of polling.
                        AssignmentRequest request = assignmentRequests.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                        if (request != null) {
                            waiting.add(request);
                        }
                    } else {
                        dispatch(consumer.poll(POLL));
                        releaseReadWaiters();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (WakeupException e) {
                    // A new assignment request, or close: the loop looks at both.
                } catch (KafkaException e) {
                    if (!isRetriable(e)) {
                        throw e;
                    }
                    LOG.warn("Reading events failed; retrying", e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Event fan-out stopped unexpectedly", e);
            throw e;
        } finally {
            ended = true;
            assignmentRequests.addAll(waiting);
            answerQueued();
            endedFuture.complete(null);
            consumer.close();
        }
    }

    /**
     * Whether the consumer may go on after this failure. Only Kafka's retriable errors (a broker away, a leader
     * moving: the node's Kafka probe says so on /health meanwhile) are worth another poll; the rest (not authorized, a
     * record that cannot be read, an unsupported broker) would fail the same way on every poll while the node looked
     * healthy. Those end the reader, and with it the node's sessions, so that clients resume on a node that can read.
     */
    static boolean isRetriable(KafkaException failure) {
        return failure instanceof RetriableException;
    }

    /**
     * Runs on the consumer thread. A partition starts at its end, so that nothing published while nobody here
     * wanted it is sent; one that stays read keeps its position, so that its subscribers miss nothing and get
     * nothing twice. The plan learns of a change only once the consumer made it, and the consumer pauses only after
     * the calls that a wakeup can interrupt: an interrupted change is left whole to the next call, never half made
     * (a partition paused while the plan still counts it as read would stay silent for its next subscribers).
     */
    private void syncReading() {
        ReadingPlan.Change change = plan.update(dispatcher.wantedPartitions(), System.nanoTime());
        if (change.isEmpty()) {
            return;
        }
        if (!change.start().isEmpty()) {
            consumer.seekToEnd(change.start());
            for (TopicPartition partition : change.start()) {
                try {
                    // Fixes the start now, so that every event published after the subscribe response is delivered.
                    consumer.position(partition, POSITION_TIMEOUT);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warn("Could not find the end of {} within {} ms; it is read from the end once Kafka answers",
                        partition, POSITION_TIMEOUT.toMillis());
                }
            }
            consumer.resume(change.start());
        }
        consumer.pause(change.stop());
        plan.applied(change);
        LOG.debug("Reading {} more and {} fewer event partitions", change.start().size(), change.stop().size());
    }

    /** Runs on the consumer thread, once the request's partition is read. */
    private void completeWithLiveStart(AssignmentRequest request) {
        TopicPartition partition = request.partition();
        if (partition == null || !plan.reads(partition)) {
            request.done().complete(Optional.empty());
            return;
        }
        Optional<Position> liveStart = Optional.empty();
        try {
            liveStart = Optional.of(partitions.before(partition, consumer.position(partition, POSITION_TIMEOUT)));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("No position for {} yet", partition);
        }
        request.done().complete(liveStart);
    }

    /** Runs on the consumer thread, after each dispatch: a consumer's position passes only what was dispatched. */
    private void releaseReadWaiters() {
        readWaiters.removeIf(waiter -> {
            boolean read;
            try {
                read = !plan.reads(waiter.partition())
                    || consumer.position(waiter.partition(), Duration.ZERO) >= waiter.offset();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Its start is not known yet, so nothing of it was dispatched.
                read = false;
            }
            if (read) {
                waiter.done().complete(null);
            }
            return read;
        });
    }

    /** Runs on the consumer thread. */
    private void dispatch(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            countRead.run();
            if (record.key() == null || record.value() == null) {
                continue;
            }
            // No Position here: most records are wanted by nobody on this node, and the hub knows which.
            dispatcher.dispatch(new ConsumedRecord(record.key(), record.value(), record.topic(), record.partition(),
                record.offset(), record.timestamp()));
        }
    }

    /** A wish to know when a partition is read up to an offset. */
    private record ReadWaiter(TopicPartition partition, long offset, CompletableFuture<Void> done) {
    }

    /** A wish for the assignment to be brought up to date, and for the live start of one partition (or none). */
    private record AssignmentRequest(TopicPartition partition, CompletableFuture<Optional<Position>> done) {
    }
}

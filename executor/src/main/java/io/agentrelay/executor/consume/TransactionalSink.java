package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.SizeLimits;
import io.agentrelay.executor.workflow.StateRecord;
import io.agentrelay.executor.workflow.UnwritableStepException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes steps in Kafka transactions: a committer thread takes every step queued since its last commit and writes
 * their events, their snapshots and the command offsets consumed meanwhile in one transaction (group commit). A step
 * is never split between transactions, so relays reading {@code read_committed} see all of a step or none of it, and
 * a command's offset is committed only with the effects of handling it.
 *
 * <p>Every transaction carries command offsets with the consumer group's metadata: those that moved since the last
 * commit, or one already committed when none did (the broker checks the group's generation whatever the offsets, and
 * fewer offsets are less for it to write). That is what fences a zombie: an executor that lost its partitions (killed
 * midway, paused past its session, or slow to notice a rebalance) has a stale group generation, so the broker refuses
 * its transactions, and none of its steps can reach clients after the new owner took over.
 *
 * <p>A transaction the broker aborted (it outlived {@code EXECUTOR_TRANSACTION_TIMEOUT_MS}, as while a broker fails
 * over) is written again by a new producer; a commit that timed out is asked again until it is answered, never
 * written twice nor failed. Steps that the group's new generation refused are dropped, and so is every later step,
 * until the partitions are reassigned: their runs were stopped and continue from their last committed steps.
 *
 * <p>Nothing is retried forever, and no step can stall the others. A step whose events or snapshots are over their
 * limits, or cannot be serialized, fails when it is published, before anything is sent. A batch that Kafka refuses
 * for a reason no retry mends (a record too large for the broker, an invalid record) is committed again one step at a
 * time, so that only the steps Kafka refuses fail. Failures that a retry may mend are retried with a growing pause
 * for up to {@code EXECUTOR_COMMIT_TIMEOUT_MS}, then their steps fail; only failures before the commit is asked
 * end so, since a commit asked may have gone through. A failed step's future fails with an
 * {@link UnwritableStepException}, whose entity then fails in a step of its own, and the command offsets consumed
 * meanwhile commit with the next transaction. The later steps of that entity queued before it failed fail with it,
 * so that its failure is its last word.
 *
 * <p>Thread-safe. Steps commit in the order they were queued.
 */
public final class TransactionalSink implements EventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalSink.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(2);
    // The step's records are sent at once: while the producer waits for a transactional request (the offsets), it
    // sends no records, so records that lingered were sent only after the offsets' answer.
    private static final int LINGER_MS = 0;
    // How soon the producer asks again when the broker answers CONCURRENT_TRANSACTIONS: a transaction that starts
    // right after a commit meets it while the broker still writes that commit's markers, for a few milliseconds.
    // Kafka's default of 100 ms made every step that queued during a commit wait that long, with the producer's I/O
    // thread asleep.
    private static final int RETRY_BACKOFF_MS = 10;

    private final ExecutorConfig config;
    private final SizeLimits limits;
    private final MeterRegistry registry;
    private final Timer commitTime;
    private final Object lock = new Object();
    private List<Step> pending = new ArrayList<>();
    private final Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    // What the last transaction committed: a step committed on its own carries these, which fence without committing
    // a command whose step is still to come.
    private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    private boolean positionsChanged;
    private ConsumerGroupMetadata groupMetadata;
    private final List<CompletableFuture<Void>> flushes = new ArrayList<>();
    private boolean closed;
    private boolean committing;
    // Steps of an older group generation were dropped: nothing commits until the partitions are assigned again.
    private boolean discarding;
    // Counts revocations: a batch retried across one belongs to stopped runs.
    private long revocations;
    // Null after a failure until the next attempt makes a new one.
    private Producer<String, byte[]> producer;
    private final LoopProgress progress = new LoopProgress("committer");
    private final Thread committer;

    /**
     * @param config   the executor: Kafka, its transactional id (group and worker), the transaction timeout
     * @param registry where {@code executor_transactions_total{result}},
     *                 {@code executor_transaction_duration_seconds} and {@code executor_steps_failed_total{reason}} go
     */
    public TransactionalSink(ExecutorConfig config, MeterRegistry registry) {
        this.config = config;
        this.limits = SizeLimits.of(config);
        this.registry = registry;
        this.commitTime = Timer.builder("executor.transaction.duration")
            .description("how long one transaction of steps took to commit").publishPercentileHistogram()
            .register(registry);
        for (String result : List.of("committed", "retried", "fenced", "aborted")) {
            registry.counter("executor.transactions", "result", result);
        }
        for (String reason : List.of("unwritable", "gave_up")) {
            registry.counter("executor.steps.failed", "reason", reason);
        }
        this.producer = newProducer();
        this.committer = new Thread(this::run, "committer-" + config.workerId());
        committer.start();
    }

    @Override
    public CompletableFuture<List<Long>> publishStep(List<Event> events, List<StateRecord> state, Traceparent trace) {
        Step step;
        try {
            step = prepare(events, state, trace);
        } catch (UnwritableStepException e) {
            LOG.warn("A step is not written: {}", e.getMessage());
            registry.counter("executor.steps.failed", "reason", "unwritable").increment();
            return CompletableFuture.failedFuture(e);
        }
        synchronized (lock) {
            if (closed) {
                step.done().completeExceptionally(new IllegalStateException("the executor is stopping"));
                return step.done();
            }
            pending.add(step);
            lock.notifyAll();
        }
        return step.done();
    }

    /**
     * Records that a command was handled: its offset is committed with the next transaction, after the steps queued
     * so far.
     *
     * @param partition the command's partition
     * @param next      the offset after the command's
     * @param group     the consumer's group metadata, which fences a consumer that lost the partition meanwhile
     */
    void consumed(TopicPartition partition, long next, ConsumerGroupMetadata group) {
        synchronized (lock) {
            positions.put(partition, new OffsetAndMetadata(next));
            positionsChanged = true;
            groupMetadata = group;
            lock.notifyAll();
        }
    }

    /**
     * Records newly assigned partitions, where the consumer starts, and the group's new generation.
     *
     * @param starts the next offset of each assigned partition
     * @param group  the consumer's group metadata after the rebalance
     */
    void assigned(Map<TopicPartition, Long> starts, ConsumerGroupMetadata group) {
        synchronized (lock) {
            discarding = false;
            starts.forEach((partition, next) -> positions.put(partition, new OffsetAndMetadata(next)));
            starts.forEach((partition, next) -> committed.put(partition, new OffsetAndMetadata(next)));
            groupMetadata = group;
        }
    }

    /**
     * Forgets revoked partitions; call after {@link #flush} committed what was pending for them. Steps still pending
     * or being retried (the flush timed out) are dropped: their runs were stopped, and must not write after the next
     * owner took over.
     *
     * @param revoked the partitions
     */
    void revoked(Collection<TopicPartition> revoked) {
        List<Step> dropped;
        synchronized (lock) {
            revocations++;
            revoked.forEach(positions::remove);
            revoked.forEach(committed::remove);
            dropped = takePending();
        }
        if (!dropped.isEmpty()) {
            LOG.warn("Dropping {} steps not committed before their partitions were revoked", dropped.size());
            dropped.forEach(step -> step.done().completeExceptionally(
                new IllegalStateException("dropped: its partition was revoked before it committed")));
        }
    }

    /**
     * Takes the queued steps, under the lock. Their futures are failed outside it: a failure's handler may queue a
     * step (an error reply), which must not change the list being gone through.
     */
    private List<Step> takePending() {
        List<Step> taken = pending;
        pending = new ArrayList<>();
        return taken;
    }

    /**
     * Waits until everything queued so far is committed (or could not be).
     *
     * @param timeout the longest to wait
     */
    void flush(Duration timeout) {
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        synchronized (lock) {
            if (closed || pending.isEmpty() && !positionsChanged && !committing) {
                return;
            }
            flushes.add(flushed);
            lock.notifyAll();
        }
        try {
            flushed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Steps not committed within {}", timeout, e);
        }
    }

    /** Commits what is queued, then stops. */
    @Override
    public void close() {
        flush(Duration.ofSeconds(10));
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            committer.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProducer(Duration.ofSeconds(5));
    }

    /**
     * @param stall how long one transaction may take, retries included
     * @return what is wrong with the committer, if anything: it stopped, or one transaction took longer
     */
    Optional<String> problem(Duration stall) {
        return progress.problem(stall);
    }

    /** Stops at once, as a killed process would: what is not committed is lost (and aborted by the broker). */
    void abort() {
        List<Step> dropped;
        synchronized (lock) {
            closed = true;
            dropped = takePending();
            lock.notifyAll();
        }
        dropped.forEach(step -> step.done().completeExceptionally(new IllegalStateException("aborted")));
        try {
            committer.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProducer(Duration.ZERO);
    }

    private void run() {
        try {
            commitUntilClosed();
        } finally {
            progress.ended();
        }
    }

    private void commitUntilClosed() {
        while (true) {
            List<Step> batch;
            Map<TopicPartition, OffsetAndMetadata> batchPositions;
            List<CompletableFuture<Void>> batchFlushes;
            boolean drop;
            long batchRevocations;
            synchronized (lock) {
                while (!closed && pending.isEmpty() && !positionsChanged && flushes.isEmpty()) {
                    progress.idle();
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed && pending.isEmpty() && !positionsChanged) {
                    flushes.forEach(flush -> flush.complete(null));
                    return;
                }
                batch = takePending();
                // The offsets of the commands handled so far, whose steps are all in this batch or committed.
                batchPositions = Map.copyOf(positions);
                positionsChanged = false;
                batchFlushes = new ArrayList<>(flushes);
                flushes.clear();
                drop = discarding;
                committing = !drop;
                batchRevocations = revocations;
            }
            progress.turn();
            if (drop) {
                batch.forEach(step -> step.done().completeExceptionally(new IllegalStateException(
                    "dropped: steps of an older group generation were refused; its run continues from its last commit")));
            } else {
                commit(batch, batchPositions, batchRevocations);
            }
            synchronized (lock) {
                committing = false;
            }
            batchFlushes.forEach(flush -> flush.complete(null));
        }
    }

    /**
     * Commits one batch, retrying failures that a new transaction can overcome, with the group's latest metadata: a
     * rebalance in progress passes. A fenced or stopped executor gives up, and its steps never become visible.
     *
     * @param taken             the command offsets to commit with it, taken with the batch: a command handled while
     *                          it is retried has its step still queued; null for one step of a batch Kafka refused,
     *                          committed on its own with the offsets already committed
     * @param revocationsBefore the revocations counted when the batch was taken: a batch that outlives one is dropped
     */
    private void commit(List<Step> batch, Map<TopicPartition, OffsetAndMetadata> taken, long revocationsBefore) {
        long deadline = System.nanoTime() + config.commitTimeout().toNanos();
        Duration pause = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            progress.turn();
            Map<TopicPartition, OffsetAndMetadata> offsets;
            ConsumerGroupMetadata group;
            synchronized (lock) {
                if (closed && attempt > 1) {
                    batch.forEach(step -> step.done().completeExceptionally(
                        new IllegalStateException("the executor stopped before the step committed")));
                    return;
                }
                if (revocations != revocationsBefore || discarding) {
                    // Its runs were stopped meanwhile and continue elsewhere (or here) from their last commit.
                    LOG.warn("Dropping {} steps whose partitions were revoked, or whose group moved on, before they "
                        + "committed", batch.size());
                    registry.counter("executor.transactions", "result", "fenced").increment();
                    batch.forEach(step -> step.done().completeExceptionally(
                        new IllegalStateException("dropped: its partition was revoked before it committed")));
                    return;
                }
                offsets = taken != null ? taken : Map.copyOf(committed);
                group = groupMetadata;
            }
            try {
                if (producer == null) {
                    producer = newProducer();
                }
                long started = System.nanoTime();
                List<List<Future<RecordMetadata>>> sent = send(batch, offsets, group);
                commitTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                registry.counter("executor.transactions", "result", "committed").increment();
                synchronized (lock) {
                    if (revocations == revocationsBefore) {
                        committed.putAll(offsets);
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    List<Long> placed = new ArrayList<>();
                    for (Future<RecordMetadata> metadata : sent.get(i)) {
                        placed.add(metadata.get().offset());
                    }
                    batch.get(i).done().complete(placed);
                }
                return;
            } catch (AuthorizationException e) {
                LOG.error("This executor is not allowed to write; its steps are dropped", e);
                batch.forEach(step -> step.done().completeExceptionally(e));
                return;
            } catch (CommitFailedException | RebalanceInProgressException e) {
                // The group moved on while these steps waited: their runs are stopped (every rebalance revokes every
                // partition) and their new owners continue from the last committed snapshots, so the steps must not
                // appear now. Dropping them is the fence working.
                LOG.warn("Dropping {} steps of an older group generation: {}", batch.size(), e.getMessage());
                registry.counter("executor.transactions", "result", "fenced").increment();
                synchronized (lock) {
                    discarding = true;
                }
                resetProducer();
                batch.forEach(step -> step.done().completeExceptionally(e));
                return;
            } catch (CommitUnanswered e) {
                // It may have committed: its steps are neither failed nor written again.
                resetProducer();
                LOG.warn("The executor stopped while the commit of {} steps was unanswered", batch.size());
                batch.forEach(step -> step.done().completeExceptionally(
                    new IllegalStateException("the executor stopped before the step's commit was answered")));
                return;
            } catch (Exception e) {
                resetProducer();
                ApiException refusal = refusal(e);
                if (refusal != null) {
                    if (batch.size() > 1) {
                        LOG.warn("Kafka refused a transaction of {} steps ({}); committing them one at a time",
                            batch.size(), refusal.toString());
                        commitOneByOne(batch, revocationsBefore);
                    } else {
                        fail(batch, "unwritable", "Kafka refused the step: " + refusal.getMessage());
                    }
                    return;
                }
                if (abortedByTheBroker(e)) {
                    // It outlived EXECUTOR_TRANSACTION_TIMEOUT_MS (as while a broker fails over), or an executor with
                    // the same EXECUTOR_WORKER_ID started. Nothing of it committed: a new producer writes it again.
                    LOG.warn("Transaction of {} steps aborted by the broker ({}); writing it again", batch.size(),
                        e.getMessage());
                    registry.counter("executor.transactions", "result", "aborted").increment();
                } else {
                    LOG.warn("Transaction of {} steps failed (attempt {}); retrying", batch.size(), attempt, e);
                    registry.counter("executor.transactions", "result", "retried").increment();
                }
                if (System.nanoTime() + pause.toNanos() > deadline) {
                    fail(batch, "gave_up", "the step was not committed within " + config.commitTimeout().toMillis()
                        + " ms (EXECUTOR_COMMIT_TIMEOUT_MS): " + e);
                    return;
                }
                sleep(pause);
                Duration doubled = pause.multipliedBy(2);
                pause = doubled.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : doubled;
            }
        }
    }

    /**
     * Commits each step of a batch that Kafka refused in a transaction of its own, so that only the steps it refuses
     * fail; the batch's command offsets commit with the next transaction.
     */
    private void commitOneByOne(List<Step> batch, long revocationsBefore) {
        Set<String> failedKeys = new HashSet<>();
        for (Step step : batch) {
            if (step.writesAny(failedKeys)) {
                // Its entity failed in an earlier step of the batch, whose failure must stay its last word.
                registry.counter("executor.steps.failed", "reason", "unwritable").increment();
                step.done().completeExceptionally(UnwritableStepException.afterAFailedStep());
            } else {
                commit(List.of(step), null, revocationsBefore);
            }
            if (step.done().isCompletedExceptionally()) {
                failedKeys.addAll(step.keys());
            }
        }
        synchronized (lock) {
            positionsChanged = true;
        }
    }

    /**
     * Fails steps that will never be written. Their entities fail in steps of their own, queued meanwhile, and the
     * offsets of the commands consumed so far commit with those.
     */
    private void fail(List<Step> steps, String reason, String message) {
        LOG.error("{} steps are not written: {}", steps.size(), message);
        registry.counter("executor.steps.failed", "reason", reason).increment(steps.size());
        Set<String> failedKeys = new HashSet<>();
        steps.forEach(step -> failedKeys.addAll(step.keys()));
        List<Step> later = new ArrayList<>();
        synchronized (lock) {
            positionsChanged = true;
            // Later steps of the same entities are dropped before the failures are told, so the steps that report
            // them are queued after everything else of their entities.
            pending.removeIf(step -> step.writesAny(failedKeys) && later.add(step));
        }
        registry.counter("executor.steps.failed", "reason", "unwritable").increment(later.size());
        UnwritableStepException failure = new UnwritableStepException(message);
        steps.forEach(step -> step.done().completeExceptionally(failure));
        UnwritableStepException dropped = UnwritableStepException.afterAFailedStep();
        later.forEach(step -> step.done().completeExceptionally(dropped));
    }

    /**
     * Kafka's refusal of the records themselves (too large for the broker, invalid), which sending them again meets
     * again; null for anything else. Only these: a producer's own state can also fail a transaction with errors Kafka
     * does not mark retriable (an {@code InvalidTxnStateException} while a broker fails over, seen in the chaos test),
     * and those are mended by a new producer writing the batch again, within the commit timeout.
     */
    private static ApiException refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidRecordException) {
                return (ApiException) cause;
            }
        }
        return null;
    }

    /** Whether the broker refused the producer's epoch: it aborted the open transaction, which never commits. */
    private static boolean abortedByTheBroker(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Serializes a step and checks it against the limits, on the caller's thread: a step that cannot be written fails
     * before anything is sent.
     */
    private Step prepare(List<Event> events, List<StateRecord> state, Traceparent trace) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Event event : events) {
            RecordHeaders headers = new RecordHeaders();
            if (trace != null) {
                headers.add(Traceparent.HEADER, trace.bytes());
            }
            records.add(new ProducerRecord<>(config.kafka().topics().events(event.channel().namespace()), null,
                event.channel().name(), limits.event(event), headers));
        }
        // A snapshot that names its events' offsets is measured with the longest ones: written, it is no larger.
        List<Long> longest = Collections.nCopies(events.size(), Long.MAX_VALUE);
        List<Snapshot> snapshots = new ArrayList<>();
        for (StateRecord record : state) {
            byte[] bytes = limits.snapshot(record.key(), () -> record.value().apply(longest));
            snapshots.add(new Snapshot(record, record.namesOffsets() ? null : bytes));
        }
        return new Step(records, snapshots, new CompletableFuture<>());
    }

    private List<List<Future<RecordMetadata>>> send(List<Step> batch, Map<TopicPartition, OffsetAndMetadata> offsets,
                                                    ConsumerGroupMetadata group) throws Exception {
        producer.beginTransaction();
        List<List<Future<RecordMetadata>>> sent = new ArrayList<>();
        boolean needOffsets = false;
        for (Step step : batch) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (ProducerRecord<String, byte[]> record : step.events()) {
                futures.add(producer.send(record));
            }
            sent.add(futures);
            needOffsets |= !step.events().isEmpty()
                && step.snapshots().stream().anyMatch(snapshot -> snapshot.record().namesOffsets());
        }
        if (needOffsets) {
            // Snapshots may name their step's event offsets: place the events first.
            producer.flush();
        }
        for (int i = 0; i < batch.size(); i++) {
            List<Long> placed = new ArrayList<>();
            for (Snapshot snapshot : batch.get(i).snapshots()) {
                if (snapshot.bytes() == null && placed.isEmpty()) {
                    for (Future<RecordMetadata> metadata : sent.get(i)) {
                        placed.add(metadata.get().offset());
                    }
                }
                byte[] bytes = snapshot.bytes() != null ? snapshot.bytes() : snapshot.record().value().apply(placed);
                producer.send(new ProducerRecord<>(config.kafka().topics().state(), snapshot.record().key(), bytes));
            }
        }
        if (!offsets.isEmpty() && group != null) {
            producer.sendOffsetsToTransaction(movedSinceCommitted(offsets), group);
        }
        commitTransaction();
        return sent;
    }

    /**
     * @param offsets the command offsets of a transaction, not empty
     * @return those that moved since the last commit, or when none did, one of them: a transaction needs one to carry
     *         the group's metadata that fences it
     */
    private Map<TopicPartition, OffsetAndMetadata> movedSinceCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        synchronized (lock) {
            offsets.forEach((partition, offset) -> {
                if (!offset.equals(committed.get(partition))) {
                    moved.put(partition, offset);
                }
            });
        }
        if (moved.isEmpty()) {
            Map.Entry<TopicPartition, OffsetAndMetadata> any = offsets.entrySet().iterator().next();
            moved.put(any.getKey(), any.getValue());
        }
        return moved;
    }

    /**
     * Commits the open transaction. A commit that timed out may still complete on the broker: it is asked again on the
     * same producer, as Kafka documents, until it is answered, never sent again in a new transaction (which could
     * write its steps twice) nor failed (which could end a run whose steps went through). A commit that stays
     * unanswered past {@code EXECUTOR_STALL_TIMEOUT_MS} makes {@code /health} say DOWN: the committer makes no turn.
     *
     * @throws CommitUnanswered when the executor stops while the commit is unanswered
     */
    private void commitTransaction() {
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                synchronized (lock) {
                    if (closed) {
                        throw new CommitUnanswered(e);
                    }
                }
                LOG.warn("Commit not acknowledged within {} ms; asking again", config.commitTimeout().toMillis());
            }
        }
    }

    /** Closes the failed producer; the next attempt makes a new one, which fences and aborts what it left open. */
    private void resetProducer() {
        closeProducer(Duration.ZERO);
    }

    private void closeProducer(Duration timeout) {
        if (producer == null) {
            return;
        }
        try {
            producer.close(timeout);
        } catch (KafkaException e) {
            LOG.debug("Closing the failed producer", e);
        }
        producer = null;
    }

    private Producer<String, byte[]> newProducer() {
        // One attempt, a send, a flush or a commit, waits no longer than EXECUTOR_COMMIT_TIMEOUT_MS (Kafka's defaults
        // let a flush wait 120 s); Kafka wants delivery.timeout.ms >= linger.ms + request.timeout.ms.
        int attempt = (int) config.commitTimeout().toMillis();
        KafkaProducer<String, byte[]> created = new KafkaProducer<>(Map.ofEntries(
            Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers()),
            Map.entry(ProducerConfig.CLIENT_ID_CONFIG, config.workerId() + "-steps"),
            // One id per executor: a restarted executor of the same id fences its former self.
            Map.entry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.groupId() + "-" + config.workerId()),
            Map.entry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.transactionTimeout().toMillis()),
            Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
            Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
            Map.entry(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS),
            Map.entry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS),
            Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, attempt),
            Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, attempt - LINGER_MS),
            Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, attempt)),
            new StringSerializer(), new ByteArraySerializer());
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        return created;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The executor stopped while a commit was unanswered: whether it went through is not known. */
    private static final class CommitUnanswered extends RuntimeException {
        CommitUnanswered(TimeoutException cause) {
            super(cause);
        }
    }

    /** A step as it is written: its events' records, and its snapshots. */
    private record Step(List<ProducerRecord<String, byte[]>> events, List<Snapshot> snapshots,
                        CompletableFuture<List<Long>> done) {

        /** The state keys it writes: its workflow, panel or session. */
        List<String> keys() {
            return snapshots.stream().map(snapshot -> snapshot.record().key()).toList();
        }

        boolean writesAny(Set<String> keys) {
            return keys().stream().anyMatch(keys::contains);
        }
    }

    /** A snapshot with its bytes, or null bytes when they name the offsets of the step's events. */
    private record Snapshot(StateRecord record, byte[] bytes) {
    }
}

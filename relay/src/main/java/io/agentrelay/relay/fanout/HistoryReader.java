package io.agentrelay.relay.fanout;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.runtime.kafka.ChannelHistory;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reads of channels' history, for resumes and replays, on small pools of their own so that history never delays
 * the live fan-out, and replays (which may go at the original pace for hours) never hold up resumes. Each thread
 * keeps one {@link ChannelHistory} for all its reads: a new Kafka consumer per read (connect, metadata, close) cost
 * about half a second.
 *
 * <p>Resumes do not get a read each: they wait by partition ({@link CatchUpQueue}), and one read of a partition
 * serves every resume waiting on it, after one look at its bounds for all of them. Five thousand clients resuming at
 * once cost a few reads per partition instead of five thousand reads and ten thousand offset requests, which took a
 * minute.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    /** Replays that may wait for a thread; more are refused. */
    private static final int MAX_QUEUED_REPLAYS = 1_000;
    /** Resumes that may wait for their history; more are answered {@code recovered: false}. */
    private static final int MAX_WAITING_CATCH_UPS = 100_000;
    /** How soon a partition whose resuming sessions all lack room in their outboxes is looked at again. */
    private static final long ROOM_WAIT_MILLIS = 20;

    private final KafkaSettings settings;
    private final ExecutorService replays;
    private final ExecutorService resumes;
    private final ThreadLocal<ChannelHistory> threadHistory = new ThreadLocal<>();
    private final Queue<ChannelHistory> opened = new ConcurrentLinkedQueue<>();
    private final CatchUpQueue catchUps = new CatchUpQueue(MAX_WAITING_CATCH_UPS);
    private final Executor later;

    /**
     * @param settings how to reach Kafka
     * @param nodeId   this node's id, for client ids
     * @param size     threads for replays, and as many for resumes: a replay at its original pace may take hours,
     *                 and must not hold up resumes
     */
    public HistoryReader(KafkaSettings settings, String nodeId, int size) {
        this.settings = settings;
        this.replays = pool("history-" + nodeId + "-replay-", size, new LinkedBlockingQueue<>(MAX_QUEUED_REPLAYS));
        // Unbounded, but holds at most one turn per partition.
        this.resumes = pool("history-" + nodeId + "-resume-", size, new LinkedBlockingQueue<>());
        this.later = CompletableFuture.delayedExecutor(ROOM_WAIT_MILLIS, TimeUnit.MILLISECONDS, resumes);
    }

    private static ExecutorService pool(String name, int size, BlockingQueue<Runnable> queue) {
        AtomicInteger threads = new AtomicInteger();
        return new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, queue, task -> {
            Thread thread = new Thread(task, name + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs a replay's read on a history thread.
     *
     * @param read what to do with the history reader, which belongs to the pool: do not keep or close it
     * @throws RejectedExecutionException when too many replays are waiting
     */
    public void submit(Consumer<ChannelHistory> read) {
        replays.execute(() -> {
            ChannelHistory history = history();
            try {
                read.accept(history);
            } catch (RuntimeException e) {
                LOG.warn("Reading history failed; the next read on this thread gets a new consumer", e);
                threadHistory.remove();
                opened.remove(history);
                closeQuietly(history);
            }
        });
    }

    /**
     * Queues a resume's catch-up: it is started, answered and sent its channel's history together with the other
     * resumes waiting on the same partition.
     *
     * @param catchUp the resume
     * @throws RejectedExecutionException when too many resumes are waiting
     */
    public void catchUp(CatchUp catchUp) {
        schedule(catchUp.location().partition(), catchUps.add(catchUp));
    }

    private void schedule(TopicPartition partition, CatchUpQueue.Next next) {
        Runnable turn = () -> schedule(partition, catchUps.turn(partition, this::history));
        try {
            switch (next) {
                case TURN -> resumes.execute(turn);
                case TURN_LATER -> later.execute(turn);
                case NONE -> {
                }
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("History reader closed; catch-ups of {} left to their closing sessions", partition);
        }
    }

    /** This pool thread's reader, opened on first use. */
    private ChannelHistory history() {
        ChannelHistory history = threadHistory.get();
        if (history == null) {
            history = ChannelHistory.open(settings.bootstrapServers(), Thread.currentThread().getName(),
                KAFKA_TIMEOUT);
            threadHistory.set(history);
            opened.add(history);
        }
        return history;
    }

    private static void closeQuietly(ChannelHistory history) {
        try {
            history.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing a history consumer failed", e);
        }
    }

    /** Lets running reads notice the end (their sessions are closed by now), then interrupts what is left. */
    @Override
    public void close() {
        replays.shutdown();
        resumes.shutdown();
        try {
            for (ExecutorService pool : List.of(replays, resumes)) {
                if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                    pool.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            replays.shutdownNow();
            resumes.shutdownNow();
            Thread.currentThread().interrupt();
        }
        opened.forEach(HistoryReader::closeQuietly);
        opened.clear();
    }
}

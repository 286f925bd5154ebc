package io.agentrelay.relay.fanout;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.history.ChannelHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reads of channels' history, for resumes and replays, on a small pool of its own so that history never delays
 * the live fan-out. Each pool thread keeps one {@link ChannelHistory} for all its reads: a new Kafka consumer per read
 * (connect, metadata, close) cost about half a second, so a thousand clients resuming at once after a relay restart
 * waited minutes; with a kept consumer a read costs two offset requests and its fetches.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    private final String nodeId;
    private final ExecutorService pool;
    private final AtomicInteger threads = new AtomicInteger();
    private final ThreadLocal<ChannelHistory> threadHistory = new ThreadLocal<>();
    private final Queue<ChannelHistory> opened = new ConcurrentLinkedQueue<>();

    /**
     * @param settings how to reach Kafka
     * @param nodeId   this node's id, for client ids
     * @param size     reads that may run at once; up to 1,000 more wait in a queue
     */
    public HistoryReader(KafkaSettings settings, String nodeId, int size) {
        this.settings = settings;
        this.nodeId = nodeId;
        this.pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(1_000),
            task -> {
                Thread thread = new Thread(task, "history-" + nodeId + "-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
    }

    /**
     * Runs a read on the history pool.
     *
     * @param read what to do with the history reader, which belongs to the pool: do not keep or close it
     * @throws java.util.concurrent.RejectedExecutionException when too many reads are waiting
     */
    public void submit(Consumer<ChannelHistory> read) {
        pool.execute(() -> {
            ChannelHistory history = threadHistory.get();
            if (history == null) {
                history = ChannelHistory.open(settings.bootstrapServers(), Thread.currentThread().getName(),
                    KAFKA_TIMEOUT);
                threadHistory.set(history);
                opened.add(history);
            }
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
        pool.shutdown();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        opened.forEach(HistoryReader::closeQuietly);
        opened.clear();
    }
}

package io.agentrelay.relay.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames waiting to be written to one socket, bounded in count and bytes. A frame counts until Undertow wrote it,
 * and Undertow is handed only frames counted here, so a slow socket fills this outbox, and only this one, instead of
 * an unbounded buffer in the server.
 *
 * <p>The writer takes every frame queued when it starts, up to {@link #MAX_BATCH}, and hands them to Undertow at
 * once: those a blocked socket holds back go out together in one gathering write when it drains, instead of one
 * write per frame, each waiting for the one before it to complete.
 *
 * <p>Thread-safe: any thread may {@link #offer}; {@link #poll} claims the writer's role, which {@link #sent} gives up
 * once the last frame of the batch is written.
 */
final class Outbox {

    /** Frames handed to Undertow together at most: a bound on one gathering write. */
    static final int MAX_BATCH = 64;

    private final int maxMessages;
    private final long maxBytes;
    private final Queue<Outgoing> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Frames of the writer's batch not written yet. */
    private final AtomicInteger inFlight = new AtomicInteger();

    Outbox(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /**
     * Queues a frame unless the outbox is full. The limits are checked before adding, so concurrent offers may go
     * past them by at most one frame each.
     *
     * @return false when the frame did not fit
     */
    boolean offer(Outgoing frame) {
        if (messages.get() >= maxMessages || bytes.get() + frame.bytes().length > maxBytes) {
            return false;
        }
        messages.incrementAndGet();
        bytes.addAndGet(frame.bytes().length);
        frames.add(frame);
        return true;
    }

    /**
     * Claims the writer's role and takes the frames queued now, in order.
     *
     * @return the frames to write, up to {@link #MAX_BATCH}; empty when there is none or another thread is already
     *     writing
     */
    List<Outgoing> poll() {
        while (writing.compareAndSet(false, true)) {
            List<Outgoing> batch = new ArrayList<>(Math.min(MAX_BATCH, Math.max(1, messages.get())));
            for (Outgoing next; batch.size() < MAX_BATCH && (next = frames.poll()) != null; ) {
                batch.add(next);
            }
            if (!batch.isEmpty()) {
                inFlight.set(batch.size());
                return batch;
            }
            writing.set(false);
            // A frame offered between the poll and the release would otherwise wait for the next offer.
            if (frames.isEmpty()) {
                return List.of();
            }
        }
        return List.of();
    }

    /** The writer finished a frame; with the last of its batch it gives up its role. */
    void sent(Outgoing frame) {
        messages.decrementAndGet();
        bytes.addAndGet(-frame.bytes().length);
        if (inFlight.decrementAndGet() == 0) {
            writing.set(false);
        }
    }

    /** Whether less than half of both limits is taken: senders that can wait send only then. */
    boolean lessThanHalfFull() {
        return messages.get() < maxMessages / 2 && bytes.get() < maxBytes / 2;
    }

    int size() {
        return messages.get();
    }
}

package io.agentrelay.relay.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames waiting to be written to one socket, bounded in count and bytes. At most one frame is in Undertow's
 * hands at a time, so a slow socket fills this outbox, and only this one, instead of an unbounded buffer in the
 * server.
 *
 * <p>Thread-safe: any thread may {@link #offer}; {@link #poll} and {@link #sent} are called by the writer, one
 * frame at a time.
 */
final class Outbox {

    private final int maxMessages;
    private final long maxBytes;
    private final Queue<Outgoing> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();

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
     * Claims the writer's role and takes the next frame.
     *
     * @return the frame to write, or null when there is none or another thread is already writing
     */
    Outgoing poll() {
        while (writing.compareAndSet(false, true)) {
            Outgoing next = frames.poll();
            if (next != null) {
                return next;
            }
            writing.set(false);
            // A frame offered between the poll and the release would otherwise wait for the next offer.
            if (frames.isEmpty()) {
                return null;
            }
        }
        return null;
    }

    /** The writer finished a frame and gives up its role. */
    void sent(Outgoing frame) {
        messages.decrementAndGet();
        bytes.addAndGet(-frame.bytes().length);
        writing.set(false);
    }

    /** Whether less than half of both limits is taken: senders that can wait send only then. */
    boolean lessThanHalfFull() {
        return messages.get() < maxMessages / 2 && bytes.get() < maxBytes / 2;
    }

    int size() {
        return messages.get();
    }
}

package io.agentrelay.relay.session;

import java.nio.ByteBuffer;
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
    private final Queue<byte[]> frames = new ConcurrentLinkedQueue<>();
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
    boolean offer(byte[] frame) {
        if (messages.get() >= maxMessages || bytes.get() + frame.length > maxBytes) {
            return false;
        }
        messages.incrementAndGet();
        bytes.addAndGet(frame.length);
        frames.add(frame);
        return true;
    }

    /**
     * Claims the writer's role and takes the next frame.
     *
     * @return the frame to write, or null when there is none or another thread is already writing
     */
    ByteBuffer poll() {
        while (writing.compareAndSet(false, true)) {
            byte[] next = frames.poll();
            if (next != null) {
                return ByteBuffer.wrap(next);
            }
            writing.set(false);
            // A frame offered between the poll and the release would otherwise wait for the next offer.
            if (frames.isEmpty()) {
                return null;
            }
        }
        return null;
    }

    /** The writer finished a frame of this many bytes and gives up its role. */
    void sent(int frameBytes) {
        messages.decrementAndGet();
        bytes.addAndGet(-frameBytes);
        writing.set(false);
    }

    int size() {
        return messages.get();
    }
}

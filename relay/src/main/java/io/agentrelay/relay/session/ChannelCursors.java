package io.agentrelay.relay.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A session's {@link ChannelCursor}s: the rules by which live events and resumed history of a channel reach the
 * outbox once each, in order, with live events held while the history catches up. Thread-safe: each channel's cursor
 * is its own lock.
 */
final class ChannelCursors {

    private final Map<String, ChannelCursor> cursors = new ConcurrentHashMap<>();
    private final int heldLimit;
    private final Consumer<Outgoing> enqueue;
    private final Runnable overflow;

    /**
     * @param heldLimit live events a catching-up channel may hold before the session counts as too slow
     * @param enqueue   queues a frame in the session's outbox
     * @param overflow  closes the session as too slow
     */
    ChannelCursors(int heldLimit, Consumer<Outgoing> enqueue, Runnable overflow) {
        this.heldLimit = heldLimit;
        this.enqueue = enqueue;
        this.overflow = overflow;
    }

    ChannelCursor follow(String channel, long lastOffset, boolean catchingUp) {
        ChannelCursor cursor = new ChannelCursor(channel, lastOffset, catchingUp);
        cursors.put(channel, cursor);
        return cursor;
    }

    /** Whether the cursor is its channel's current one: not unsubscribed, nor replaced by a newer subscription. */
    boolean isCurrent(ChannelCursor cursor) {
        return cursors.get(cursor.channel) == cursor;
    }

    void restartAfter(ChannelCursor cursor, long lastOffset) {
        synchronized (cursor) {
            if (isCurrent(cursor)) {
                cursor.lastOffset = lastOffset;
            }
        }
    }

    void unfollow(String channel) {
        cursors.remove(channel);
    }

    void deliver(String channel, long offset, String pos, byte[] frame) {
        ChannelCursor cursor = cursors.get(channel);
        if (cursor == null) {
            return;
        }
        synchronized (cursor) {
            if (!cursor.catchingUp) {
                sendInOrder(cursor, offset, pos, frame);
            } else if (cursor.held.size() >= heldLimit) {
                overflow.run();
            } else {
                cursor.held.add(new ChannelCursor.Held(offset, pos, frame));
            }
        }
    }

    void catchUp(ChannelCursor cursor, long offset, String pos, byte[] frame) {
        synchronized (cursor) {
            if (isCurrent(cursor)) {
                sendInOrder(cursor, offset, pos, frame);
            }
        }
    }

    void caughtUp(ChannelCursor cursor) {
        synchronized (cursor) {
            if (!isCurrent(cursor)) {
                cursor.held.clear();
                return;
            }
            for (ChannelCursor.Held event; (event = cursor.held.poll()) != null; ) {
                sendInOrder(cursor, event.offset(), event.pos(), event.frame());
            }
            cursor.catchingUp = false;
        }
    }

    /** Called holding the cursor's lock. */
    private void sendInOrder(ChannelCursor cursor, long offset, String pos, byte[] frame) {
        if (offset > cursor.lastOffset) {
            cursor.lastOffset = offset;
            enqueue.accept(new Outgoing(frame, cursor.channel, pos));
        }
    }
}

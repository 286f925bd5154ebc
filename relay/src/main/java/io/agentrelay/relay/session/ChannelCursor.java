package io.agentrelay.relay.session;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How far one session has been sent one channel: the offset of the last event queued for it, so that no event is sent
 * twice or out of order, and, while a resume catches up from Kafka, the live events that arrived meanwhile.
 *
 * <p>Guarded by its own monitor; {@link Session} holds it while deciding and queueing, so that the live path and the
 * catch-up path cannot interleave.
 *
 * <p>Outside this package an opaque handle on one subscription of a channel: a resume keeps the cursor it started
 * with, and once its client unsubscribes (and perhaps subscribes again, with a cursor of its own) what the resume
 * still does through it reaches nobody.
 */
public final class ChannelCursor {

    final String channel;
    long lastOffset;
    boolean catchingUp;
    final Deque<Held> held = new ArrayDeque<>();

    ChannelCursor(String channel, long lastOffset, boolean catchingUp) {
        this.channel = channel;
        this.lastOffset = lastOffset;
        this.catchingUp = catchingUp;
    }

    /** A live event kept back until the catch-up before it is done. */
    record Held(long offset, String pos, byte[] frame) {
    }
}

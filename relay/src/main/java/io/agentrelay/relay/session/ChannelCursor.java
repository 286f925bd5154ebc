package io.agentrelay.relay.session;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How far one session has been sent one channel: the offset of the last event queued for it, so that no event is sent
 * twice or out of order, and, while a resume catches up from Kafka, the live events that arrived meanwhile.
 *
 * <p>Guarded by its own monitor; {@link Session} holds it while deciding and queueing, so that the live path and the
 * catch-up path cannot interleave.
 */
final class ChannelCursor {

    long lastOffset;
    boolean catchingUp;
    final Deque<Held> held = new ArrayDeque<>();

    ChannelCursor(long lastOffset, boolean catchingUp) {
        this.lastOffset = lastOffset;
        this.catchingUp = catchingUp;
    }

    /** A live event kept back until the catch-up before it is done. */
    record Held(long offset, String pos, byte[] frame) {
    }
}

package io.agentrelay.relay.fanout;

import java.util.IdentityHashMap;
import java.util.Map;

import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.dialect.Dialect;

/**
 * One event's frames, encoded on first use per dialect and shared by every session of that dialect. Not thread-safe:
 * used by one thread at a time (the fan-out thread, or the history thread of a resume turn).
 */
final class EncodedEvent {

    private final Event event;
    private final Position position;
    private final Map<Dialect, byte[]> frames = new IdentityHashMap<>(2);
    private final Map<Dialect, Boolean> skipped = new IdentityHashMap<>(1);
    private final Map<Dialect, byte[]> trailers = new IdentityHashMap<>(1);

    EncodedEvent(Event event, Position position) {
        this.event = event;
        this.position = position;
    }

    Position position() {
        return position;
    }

    /** The frame for a dialect, or null when the dialect does not show this event. */
    byte[] bytesFor(Dialect dialect) {
        byte[] frame = frames.get(dialect);
        if (frame == null && !skipped.containsKey(dialect)) {
            frame = dialect.encode(event, position);
            if (frame == null) {
                skipped.put(dialect, Boolean.TRUE);
            } else {
                frames.put(dialect, frame);
            }
        }
        return frame;
    }

    /** The frame a dialect sends right after the event's, or null; asked only once the event's frame was sent. */
    byte[] trailerFor(Dialect dialect) {
        return event.isReply() ? null : trailers.computeIfAbsent(dialect, ignored -> dialect.trailer(event));
    }
}

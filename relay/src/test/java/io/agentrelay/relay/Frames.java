package io.agentrelay.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.agentrelay.common.protocol.Envelope;

/** Records the frames a client receives, for assertions. */
final class Frames implements Consumer<Envelope> {

    private final List<Envelope> frames = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Envelope frame) {
        frames.add(frame);
    }

    /** The events of one channel, in arrival order. */
    List<Envelope> events(String channel) {
        return frames.stream()
            .filter(frame -> Envelope.EVENT.equals(frame.type()) && channel.equals(frame.room()))
            .toList();
    }

    /** The names of one channel's events, in arrival order. */
    List<String> eventNames(String channel) {
        return events(channel).stream().map(Envelope::event).toList();
    }

    /** Every frame of a type, in arrival order. */
    List<Envelope> ofType(String type) {
        return frames.stream().filter(frame -> type.equals(frame.type())).toList();
    }

    List<Envelope> all() {
        return List.copyOf(frames);
    }
}

package io.agentrelay.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.agentrelay.client.ChannelHandler;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.protocol.Envelope;

/** What a Java SDK subscription received: each event's {@code seq}, each resume's outcome and each refusal. */
final class SeqRecorder implements ChannelHandler {
    final List<Integer> seqs = new CopyOnWriteArrayList<>();
    final List<Boolean> resumes = new CopyOnWriteArrayList<>();
    final List<RelayErrorException> refusals = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(Envelope event) {
        seqs.add(event.data().path("seq").asInt());
    }

    @Override
    public void onResumed(boolean recovered, String reason) {
        resumes.add(recovered);
    }

    @Override
    public void onRefused(RelayErrorException refusal) {
        refusals.add(refusal);
    }
}

package io.agentrelay.executor.workflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.trace.Traceparent;

/** Keeps published events in publish order, for tests of the engine without a broker. */
final class RecordingSink implements EventSink {

    private final List<Event> events = new CopyOnWriteArrayList<>();

    private final List<StateRecord> state = new CopyOnWriteArrayList<>();

    @Override
    public synchronized CompletableFuture<List<Long>> publishStep(List<Event> step, List<StateRecord> records,
                                                                  Traceparent trace) {
        List<Long> offsets = new java.util.ArrayList<>();
        for (Event event : step) {
            events.add(event);
            offsets.add((long) events.size() - 1);
        }
        state.addAll(records);
        return CompletableFuture.completedFuture(offsets);
    }

    /** The snapshots written, in order. */
    List<StateRecord> state() {
        return List.copyOf(state);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<String> names() {
        return events.stream().map(Event::event).toList();
    }

    boolean has(String name) {
        return names().contains(name);
    }
}

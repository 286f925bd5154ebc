package io.agentrelay.executor.workflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.agentrelay.common.protocol.Event;

/** Keeps published events in publish order, for tests of the engine without a broker. */
final class RecordingSink implements EventSink {

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public synchronized CompletableFuture<Long> publish(Event event) {
        events.add(event);
        return CompletableFuture.completedFuture((long) events.size() - 1);
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

package io.agentrelay.executor.workflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.trace.Traceparent;

/** Where executors send events and snapshots; in production, the event and state topics, transactionally. */
public interface EventSink {

    /**
     * Publishes a step: its events and the snapshots of the entities it changed, all visible to clients or none.
     * Steps become visible in the order of these calls, and a channel's events in the order given.
     *
     * @param events the step's events
     * @param state  the snapshots it writes
     * @param trace  the trace the step belongs to, sent as its events' {@code traceparent} header; null for none
     * @return completes with the events' offsets, in order, once the step is committed, or exceptionally when it
     *     could not be; failures are also logged, so callers that need no offset may ignore it
     */
    CompletableFuture<List<Long>> publishStep(List<Event> events, List<StateRecord> state, Traceparent trace);

    /**
     * Publishes a step of the thread's current trace, if any.
     *
     * @param events the step's events
     * @param state  the snapshots it writes
     * @return completes with the events' offsets once committed
     */
    default CompletableFuture<List<Long>> publishStep(List<Event> events, List<StateRecord> state) {
        return publishStep(events, state, Traceparent.current().map(Traceparent::child).orElse(null));
    }

    /**
     * Publishes one event on its own.
     *
     * @param event the event
     * @return completes with its offset once committed
     */
    default CompletableFuture<Long> publish(Event event) {
        return publishStep(List.of(event), List.of()).thenApply(offsets -> offsets.get(0));
    }
}

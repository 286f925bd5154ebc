package io.agentrelay.executor.workflow;

import java.util.concurrent.CompletableFuture;

import io.agentrelay.common.protocol.Event;

/** Where the workflow engine sends its events; in production, the event topics. */
public interface EventSink {

    /**
     * Publishes an event. Events of one channel must be published in the order of these calls.
     *
     * @param event the event
     * @return completes with the event's offset in its partition once it is stored, or exceptionally when it could
     *     not be; failures are also logged, so callers that need no offset may ignore it
     */
    CompletableFuture<Long> publish(Event event);
}

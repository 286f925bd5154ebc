package io.agentrelay.executor.workflow;

import io.agentrelay.common.protocol.Event;

/** Where the workflow engine sends its events; in production, the event topics. */
public interface EventSink {

    /**
     * Publishes an event. Events of one channel must be published in the order of these calls.
     *
     * @param event the event
     */
    void publish(Event event);
}

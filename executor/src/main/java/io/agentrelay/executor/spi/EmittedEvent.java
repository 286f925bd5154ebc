package io.agentrelay.executor.spi;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event a panel tool emits to the panel's clients, who receive it as {@code EVENT {event: {name, data}}}.
 *
 * @param name what happened
 * @param data its details
 */
public record EmittedEvent(String name, JsonNode data) {

    /** Requires a name. */
    public EmittedEvent {
        Objects.requireNonNull(name, "name");
    }
}

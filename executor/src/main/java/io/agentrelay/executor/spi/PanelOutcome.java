package io.agentrelay.executor.spi;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * What a panel tool did.
 *
 * @param mutations   how the state changes, applied in order, all or none
 * @param events      what it emits to the panel's clients
 * @param returnValue what the caller gets in its {@code RESULT}
 */
public record PanelOutcome(List<StateMutation> mutations, List<EmittedEvent> events, JsonNode returnValue) {

    /** Copies the lists and fills a missing return value with JSON null. */
    public PanelOutcome {
        mutations = mutations == null ? List.of() : List.copyOf(mutations);
        events = events == null ? List.of() : List.copyOf(events);
        returnValue = returnValue == null ? NullNode.getInstance() : returnValue;
    }

    /**
     * @param mutation one change of state
     * @param returnValue what the caller gets
     * @return an outcome with that change and no events
     */
    public static PanelOutcome of(StateMutation mutation, JsonNode returnValue) {
        return new PanelOutcome(List.of(mutation), List.of(), returnValue);
    }
}

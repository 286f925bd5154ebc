package io.agentrelay.relay.dialect;

import java.util.HashSet;
import java.util.Set;

/**
 * Which events, by canonical name ({@code workflow.started} …), a session wants on the channels it follows. Dialects
 * whose clients filter by event type (Praxis) start from a default set; the others take everything. Thread-safe.
 */
public final class EventFilter {

    private final boolean everything;
    private volatile Set<String> names;

    private EventFilter(boolean everything, Set<String> names) {
        this.everything = everything;
        this.names = Set.copyOf(names);
    }

    /** Every event. */
    public static EventFilter all() {
        return new EventFilter(true, Set.of());
    }

    /**
     * @param names the canonical event names to start with
     * @return a filter of exactly those names, until changed
     */
    public static EventFilter of(Set<String> names) {
        return new EventFilter(false, names);
    }

    /** Whether the session wants an event of this name. */
    public boolean accepts(String eventName) {
        return everything || names.contains(eventName);
    }

    /**
     * @param add names to accept from now on
     */
    public synchronized void add(Set<String> add) {
        Set<String> next = new HashSet<>(names);
        next.addAll(add);
        names = Set.copyOf(next);
    }

    /**
     * @param remove names to stop accepting
     */
    public synchronized void remove(Set<String> remove) {
        Set<String> next = new HashSet<>(names);
        next.removeAll(remove);
        names = Set.copyOf(next);
    }

    /** The accepted names; empty when it accepts everything. */
    public Set<String> names() {
        return names;
    }
}

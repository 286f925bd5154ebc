package io.agentrelay.relay.state;

import java.util.List;

import io.agentrelay.common.state.SessionSnapshot;

/**
 * A change of the active sessions.
 *
 * @param active the sessions active now, oldest first
 * @param ended  the ids of the sessions that ended since the last change
 */
public record SessionsChanged(List<SessionSnapshot> active, List<String> ended) {

    /** Copies the lists. */
    public SessionsChanged {
        active = List.copyOf(active);
        ended = List.copyOf(ended);
    }
}

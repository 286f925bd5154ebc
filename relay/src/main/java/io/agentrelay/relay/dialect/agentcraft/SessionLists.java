package io.agentrelay.relay.dialect.agentcraft;

import java.util.List;

import io.agentrelay.common.state.SessionSnapshot;

/**
 * The session list an AgentCraft connection opens with, asked of the relay's listings of the state topic. The
 * dialect owns this interface so that it stays a codec: it never follows the state topic itself.
 */
@FunctionalInterface
public interface SessionLists {

    /**
     * The active sessions a new connection is shown first; called on the I/O thread that opens a connection, so it
     * must not block.
     *
     * @return the sessions of the last listing sent to connections, so that none sent afterwards is older
     */
    List<SessionSnapshot> first();
}

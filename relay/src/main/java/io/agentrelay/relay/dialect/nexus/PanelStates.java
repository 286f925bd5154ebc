package io.agentrelay.relay.dialect.nexus;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.Position;

/**
 * The panel facts a Nexus connection opens with, asked of the relay's view of the state topic. The dialect owns this
 * interface so that it stays a codec: it never reads the state topic or locates channels itself.
 */
@FunctionalInterface
public interface PanelStates {

    /**
     * A panel's latest stored state; called on the I/O thread that opens a connection, so it must not block.
     *
     * @param panelId the panel in the connection's path
     * @return the panel's state, or empty when no such panel exists
     */
    Optional<PanelState> latest(String panelId);

    /**
     * A panel's stored state and where its channel resumes from.
     *
     * @param state      the panel's state
     * @param lastChange the position of the last change that the state includes
     */
    record PanelState(JsonNode state, Position lastChange) {
    }
}

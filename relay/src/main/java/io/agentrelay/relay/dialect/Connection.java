package io.agentrelay.relay.dialect;

import java.util.UUID;

import io.agentrelay.relay.auth.Grants;

/**
 * What a dialect may know of the connection a frame came on.
 *
 * @param id       the connection's id, also its private channel {@code conn:<id>}
 * @param resource the id in the endpoint's path ({@code /panels/{id}/ws}, {@code /ws/agent-tracking/{client_id}}),
 *                 or null for endpoints without one
 * @param grants   what the connection's token allows
 */
public record Connection(String id, String resource, Grants grants) {

    /**
     * The id of the command a request of this connection becomes ({@link Grants#commandId}); also what names the
     * entity of a request that names none, so that a retried request names the same one.
     *
     * @param requestId the request's id
     * @return the command id
     */
    public UUID commandId(String requestId) {
        return grants.commandId("conn:" + id, requestId);
    }
}

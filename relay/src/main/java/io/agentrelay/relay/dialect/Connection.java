package io.agentrelay.relay.dialect;

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
}

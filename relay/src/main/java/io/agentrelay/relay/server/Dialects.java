package io.agentrelay.relay.server;

import io.agentrelay.relay.dialect.Dialect;

/**
 * The dialects a relay speaks, one per endpoint family.
 *
 * @param canonical  {@code /ws} and {@code /}
 * @param praxis     {@code /ws/events} and {@code /ws/workflow}
 * @param agentCraft {@code /ws/agent-tracking/{client_id}}
 * @param nexus      {@code /panels/{id}/ws}
 */
public record Dialects(Dialect canonical, Dialect praxis, Dialect agentCraft, Dialect nexus) {
}

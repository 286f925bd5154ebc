package io.agentrelay.relay.server;

import io.agentrelay.relay.dialect.Dialect;

/**
 * The dialects a relay speaks, one per endpoint family.
 *
 * @param canonical     {@code /ws} and {@code /}
 * @param praxis        {@code /ws/events} and {@code /ws/workflow}
 * @param agentCraft    {@code /ws/agent-tracking/{client_id}}
 * @param agentCraftApp {@code /api/ws/agent-tracking/{client_id}}, where AgentCraft's React app connects
 * @param nexus         {@code /panels/{id}/ws}
 */
public record Dialects(Dialect canonical, Dialect praxis, Dialect agentCraft, Dialect agentCraftApp, Dialect nexus) {
}

package io.agentrelay.relay.dialect.agentcraft;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.Event;

/**
 * A step's event ({@code node.*}) seen as an agent's status, the same on both AgentCraft endpoints.
 *
 * @param nodeId   the step, which is the agent
 * @param tool     the step's tool, or null when the event does not name it
 * @param state    where the agent is
 * @param progress its progress in percent, or null when the event does not say
 * @param details  a line about it
 */
record AgentStep(String nodeId, String tool, State state, Integer progress, String details) {

    /** Where an agent is. */
    enum State { PROCESSING, DONE, ERROR }

    /**
     * @param event a canonical event
     * @return the agent's status, or null when the event is not about a step
     */
    static AgentStep of(Event event) {
        JsonNode data = event.data();
        String nodeId = data.path("node_id").asText();
        String tool = data.hasNonNull("tool") ? data.get("tool").asText() : null;
        return switch (event.event()) {
            case "node.started" -> new AgentStep(nodeId, tool, State.PROCESSING, 0,
                "Running " + (tool == null ? nodeId : tool));
            case "node.progress" -> new AgentStep(nodeId, tool, State.PROCESSING, percent(data),
                data.path("message").asText());
            case "node.completed" -> new AgentStep(nodeId, tool, State.DONE, 100,
                "Completed in " + data.path("duration_ms").asLong() + " ms");
            case "node.failed" -> new AgentStep(nodeId, tool, State.ERROR, null, data.path("error").asText());
            default -> null;
        };
    }

    /** {@code progress} of {@code total} when the event carries them, else {@code progress} as a percentage. */
    private static Integer percent(JsonNode data) {
        if (!data.path("progress").isNumber()) {
            return null;
        }
        double progress = data.get("progress").asDouble();
        double total = data.path("total").asDouble(0);
        double percent = total > 0 ? 100 * progress / total : progress;
        return (int) Math.max(0, Math.min(100, Math.round(percent)));
    }
}

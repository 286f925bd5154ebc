package io.agentrelay.relay.dialect.agentcraft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;

/**
 * Workflow events as AgentCraft frames: each step is an agent ({@code agent_status}), a step starting after another
 * is a hand-off ({@code agent_collaboration}), log lines are {@code session_logs}, and the session's coordinator
 * agent reports the whole workflow.
 */
final class AgentCraftEvents {

    private static final String COORDINATOR = "coordinator";

    private AgentCraftEvents() {
    }

    /**
     * @param event a canonical event
     * @return its frame, or null when AgentCraft clients have no use for it
     */
    static byte[] frame(Event event) {
        JsonNode data = event.data();
        String session = data.path("workflow_id").asText();
        ObjectNode frame = switch (event.event()) {
            case "workflow.started" -> coordinator(event, "ANALYZING", 0,
                "Planning " + data.path("total_nodes").asInt() + " steps");
            case "workflow.stage_completed" -> {
                int done = data.path("stages_completed").asInt();
                int total = Math.max(1, data.path("total_stages").asInt());
                yield coordinator(event, "COLLABORATING", 100 * done / total, done + " of " + total + " steps done");
            }
            case "workflow.completed" -> coordinator(event, "COMPLETED", 100, "All steps done");
            case "workflow.failed" -> coordinator(event, "ERROR", null, data.path("error").asText());
            case "workflow.handoff" -> Json.object()
                .put("type", "agent_collaboration")
                .put("session_id", session)
                .put("primary_agent", data.path("from_node").asText())
                .put("secondary_agent", data.path("to_node").asText())
                .put("collaboration_type", "handoff")
                .put("reason", data.path("reason").asText())
                .put("timestamp", event.ts().toString());
            case "workflow.log" -> log(event, session);
            default -> {
                AgentStep step = AgentStep.of(event);
                yield step == null ? null : agent(event, step);
            }
        };
        return frame == null ? null : Json.toBytes(frame);
    }

    private static ObjectNode coordinator(Event event, String status, Integer progress, String message) {
        String session = event.data().path("workflow_id").asText();
        return status(event, session + "/" + COORDINATOR, "Coordinator", status, progress, message)
            .set("metadata", Json.object().put("session_id", session));
    }

    private static ObjectNode agent(Event event, AgentStep step) {
        String session = event.data().path("workflow_id").asText();
        ObjectNode metadata = Json.object().put("session_id", session).put("task_id", step.nodeId());
        if (step.tool() != null) {
            metadata.put("tool", step.tool());
        }
        String status = switch (step.state()) {
            case PROCESSING -> "PROCESSING";
            case DONE -> "COMPLETED";
            case ERROR -> "ERROR";
        };
        return status(event, session + "/" + step.nodeId(), step.nodeId(), status, step.progress(), step.details())
            .set("metadata", metadata);
    }

    private static ObjectNode status(Event event, String agentId, String agentName, String status, Integer progress,
                                     String message) {
        ObjectNode frame = Json.object()
            .put("type", "agent_status")
            .put("agent_id", agentId)
            .put("agent_name", agentName)
            .put("status", status);
        if (progress != null) {
            frame.put("progress", progress);
        }
        return frame.put("message", message).put("timestamp", event.ts().toString());
    }

    private static ObjectNode log(Event event, String session) {
        ObjectNode entry = Json.object()
            .put("timestamp", event.ts().toString())
            .put("level", event.data().path("level").asText("info"))
            .put("agent", event.data().path("agent").asText())
            .put("message", event.data().path("message").asText());
        entry.set("details", event.data().path("details").isObject() ? event.data().get("details") : Json.object());
        ObjectNode frame = Json.object().put("type", "session_logs").put("session_id", session);
        frame.putArray("logs").add(entry);
        return frame.put("timestamp", AgentCraftDialect.epochSeconds(event.ts()));
    }
}

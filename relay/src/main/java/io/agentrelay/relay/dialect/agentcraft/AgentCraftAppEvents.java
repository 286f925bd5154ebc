package io.agentrelay.relay.dialect.agentcraft;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;

/**
 * Workflow events as the frames AgentCraft's React app reads on {@code /api/ws/agent-tracking}: the types its tracker
 * broadcast ({@code session_started}, {@code agent_status_update}, {@code phase_update}, {@code crew_output},
 * {@code crewai_log}, …), each with the {@code data} object that {@code MultiAgentDemo.js} reads and, for the
 * agent frames, the tracker's {@code state} that {@code AgentChat.js} reads.
 *
 * <p>Where the app and AgentCraft's server disagree, the app wins, since nothing else reads these frames: a session's
 * end is {@code session_complete} (the server sent {@code session_completed}, which {@code MultiAgentDemo.js} never
 * matches), and {@code data.status} is upper case ({@code PROCESSING}, {@code FINISHED}, {@code ERROR}), which the app
 * compares with, while {@code state.active_agents[].status} keeps the server's lower case, which {@code AgentChat.js}
 * colours.
 */
final class AgentCraftAppEvents {

    private AgentCraftAppEvents() {
    }

    /**
     * @param event a canonical event
     * @return its frame, or null when the app has no use for it
     */
    static byte[] frame(Event event) {
        JsonNode data = event.data();
        if ("workflow.log".equals(event.event())) {
            return Json.toBytes(log(event));
        }
        Frame frame = switch (event.event()) {
            case "workflow.started" -> started(event);
            case "node.started" -> agent(event, "PROCESSING", 0, "Running " + data.path("tool").asText());
            case "node.progress" -> agent(event, "PROCESSING", null, data.path("message").asText());
            case "node.completed" -> agent(event, "FINISHED", 100,
                "Completed in " + data.path("duration_ms").asLong() + " ms");
            case "node.failed" -> agent(event, "ERROR", null, data.path("error").asText());
            case "workflow.handoff" -> new Frame("phase_update", data(event)
                .put("phase", data.path("from_node").asText() + " → " + data.path("to_node").asText())
                .put("details", data.path("reason").asText()), null);
            case "workflow.stage_completed" -> {
                JsonNode output = data.path("result").path("output");
                yield new Frame("crew_output", data(event)
                    .put("output_type", "task_output")
                    .put("content", output.isTextual() ? output.asText() : Json.toText(output))
                    .put("agent_name", data.path("stage_name").asText()), null);
            }
            case "workflow.completed" -> new Frame("session_complete", data(event)
                .put("duration_ms", data.path("duration_ms").asLong()), null);
            case "workflow.failed" -> new Frame("session_error", data(event).put("error", data.path("error").asText()),
                null);
            case "workflow.cancelled" -> new Frame("session_error",
                data(event).put("error", data.path("reason").asText()), null);
            default -> null;
        };
        return frame == null ? null : Json.toBytes(frame.toJson(event));
    }

    /**
     * One frame: {@code {type, session_id, timestamp, data, state?}}.
     *
     * @param type  the frame's type
     * @param data  what {@code MultiAgentDemo.js} reads
     * @param state the tracker's state that {@code AgentChat.js} reads, or null
     */
    private record Frame(String type, ObjectNode data, ObjectNode state) {
        ObjectNode toJson(Event event) {
            ObjectNode frame = Json.object().put("type", type).put("session_id", sessionId(event))
                .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()));
            frame.set("data", data);
            if (state != null) {
                frame.set("state", state);
            }
            return frame;
        }
    }

    private static ObjectNode data(Event event) {
        return Json.object().put("session_id", sessionId(event));
    }

    private static Frame started(Event event) {
        JsonNode data = event.data();
        ObjectNode started = data(event).put("query", data.path("prompt").asText(""));
        ArrayNode names = started.putArray("agent_names");
        ObjectNode state = data(event).put("query", data.path("prompt").asText(""))
            .put("total_agents", data.path("total_nodes").asInt()).put("current_phase", "agent_initialization")
            .put("overall_progress", 0);
        ArrayNode agents = state.putArray("active_agents");
        for (JsonNode node : data.path("nodes")) {
            String nodeId = node.path("id").asText();
            names.add(nodeId);
            agents.add(agentState(event, nodeId, "idle", 0, "", ""));
        }
        return new Frame("session_started", started, state);
    }

    private static Frame agent(Event event, String status, Integer progress, String details) {
        JsonNode data = event.data();
        String nodeId = data.path("node_id").asText();
        String task = data.path("tool").asText(nodeId);
        ObjectNode update = data(event).put("agent_name", nodeId).put("status", status);
        if (progress != null) {
            update.put("progress", progress);
        }
        update.put("current_task", task).put("details", details);
        ObjectNode state = data(event);
        state.putArray("active_agents").add(agentState(event, nodeId, status.toLowerCase(Locale.ROOT),
            progress == null ? 0 : progress, task, details));
        return new Frame("agent_status_update", update, state);
    }

    private static ObjectNode agentState(Event event, String nodeId, String status, int progress, String task,
                                         String details) {
        return Json.object()
            .put("agent_id", sessionId(event) + "/" + nodeId)
            .put("agent_name", nodeId)
            .put("status", status)
            .put("current_task", task)
            .put("progress", progress)
            .put("details", details)
            .put("updated_at", AgentCraftDialect.epochSeconds(event.ts()));
    }

    /** {@code crewai_log {log}}, as AgentCraft's log streamer sent each log record. */
    private static ObjectNode log(Event event) {
        JsonNode data = event.data();
        String level = data.path("level").asText("info").toUpperCase(Locale.ROOT);
        ObjectNode log = Json.object()
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()))
            .put("datetime", event.ts().toString())
            .put("session_id", sessionId(event))
            .put("level", "WARN".equals(level) ? "WARNING" : level)
            .put("message", data.path("message").asText())
            .put("raw_message", data.path("message").asText())
            .put("source", "agent_relay");
        String agent = data.path("agent").asText("");
        if (!agent.isEmpty()) {
            log.put("event_type", "agent_log");
            log.putObject("agent_info").put("agent_name", agent);
        }
        ObjectNode frame = Json.object().put("type", "crewai_log")
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()));
        frame.set("log", log);
        return frame;
    }

    private static String sessionId(Event event) {
        return event.data().path("workflow_id").asText();
    }
}

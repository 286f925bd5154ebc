package io.agentrelay.relay.dialect.praxis;

import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.state.NodeState;

/** Turns canonical events into the frames Praxis's frontend knows, camelCase and all. */
final class PraxisEvents {

    private static final String MATCHED_AGENT = "agent-relay-executor";

    private PraxisEvents() {
    }

    static byte[] frame(Event event, Position position) {
        JsonNode data = event.data();
        ObjectNode payload = Json.object();
        String type;
        switch (event.event()) {
            case "workflow.started":
                type = "workflowStart";
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("executionId", data.path("workflow_id").asText())
                    .put("startTime", event.ts().toString());
                payload.set("nodes", data.path("nodes"));
                payload.set("edges", data.path("edges"));
                break;
            case "node.started":
                type = "nodeStatusUpdate";
                nodeStatus(payload, data, NodeState.RUNNING, event);
                break;
            case "node.completed":
                type = "nodeStatusUpdate";
                nodeStatus(payload, data, NodeState.COMPLETED, event).put("duration", data.path("duration_ms").asLong());
                payload.set("result", data.path("result"));
                break;
            case "node.failed":
                type = "nodeStatusUpdate";
                nodeStatus(payload, data, NodeState.FAILED, event).put("error", data.path("error").asText());
                break;
            case "node.progress":
                type = "workflowProgress";
                nodeStatus(payload, data, NodeState.RUNNING, event).put("message", data.path("message").asText());
                break;
            case "workflow.stage_completed":
                type = "workflowProgress";
                int total = Math.max(1, data.path("total_stages").asInt(1));
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("nodeId", data.path("stage_name").asText())
                    .put("status", "completed")
                    .put("progress", Math.round(100.0 * data.path("stages_completed").asInt() / total));
                break;
            case "workflow.completed":
                type = "workflowComplete";
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("duration", data.path("duration_ms").asLong())
                    .put("message", "Workflow completed");
                payload.set("results", data.path("result"));
                break;
            case "workflow.failed":
                type = "workflowError";
                // The builder's log and toast read message, the chat panel error.
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("error", data.path("error").asText())
                    .put("message", data.path("error").asText());
                if (data.hasNonNull("failed_node")) {
                    payload.put("nodeId", data.get("failed_node").asText());
                }
                break;
            case "dsl.progress":
                type = "dslProgress";
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("command", data.path("command").asText())
                    .put("status", data.path("status").asText())
                    .put("message", data.path("message").asText());
                break;
            case "dsl.result":
                type = "dslResult";
                payload.put("workflowId", data.path("workflow_id").asText())
                    .put("command", data.path("command").asText())
                    .put("success", data.path("success").asBoolean());
                copyIfPresent(payload, data, "result", "result");
                copyIfPresent(payload, data, "error", "error");
                if (data.path("workflow").isObject()) {
                    suggestion(payload, data.get("workflow"));
                }
                break;
            case "chat.message":
                type = "chatMessage";
                payload.put("content", data.path("content").asText())
                    .put("sender", data.path("sender").asText())
                    .put("type", data.path("type").asText());
                break;
            case "tool.executed":
                type = "tool_result";
                payload.put("toolName", data.path("tool_name").asText())
                    .put("status", data.path("status").asText())
                    .put("sender", data.path("sender").asText("assistant"));
                copyIfPresent(payload, data, "result", "result");
                copyIfPresent(payload, data, "error", "error");
                break;
            default:
                type = "eventStream";
                payload.put("event", event.event()).put("channel", event.channel().name());
                payload.set("data", data);
        }
        if (position != null) {
            payload.put("pos", position.encode());
        }
        return PraxisDialect.frame(type, payload, event.id(), event.ts(), event.correlationId());
    }

    /**
     * What the builder runs and draws from a DSL result: the compiled workflow in its own node shape as
     * {@code workflow} (the DSL result's Execute button sends it back), and the relay's executors as the one agent
     * that matched. The builder draws its canvas from {@code matchedAgents} (an Orchestrator and this agent, no tool
     * nodes); {@code workflowSuggestion} only has to be present for it to draw. The workflow carries no id: the DSL
     * command already ran under its own, which runs once, so each Execute is a new run.
     */
    private static void suggestion(ObjectNode payload, JsonNode workflow) {
        ObjectNode graph = BuilderNodes.graph(workflow);
        payload.set("workflowSuggestion", graph);
        payload.set("workflow", graph.deepCopy());
        Set<String> tools = new TreeSet<>();
        workflow.path("nodes").forEach(node -> tools.add(node.path("tool").asText()));
        ObjectNode agent = payload.putArray("matchedAgents").addObject()
            .put("agentName", MATCHED_AGENT).put("name", MATCHED_AGENT)
            .put("reasoning", "Agent Relay's executors run " + String.join(", ", tools))
            .put("matchScore", 1.0);
        tools.forEach(agent.putArray("capabilities")::add);
        tools.forEach(agent.putArray("matchedTools")::add);
    }

    private static ObjectNode nodeStatus(ObjectNode payload, JsonNode data, NodeState state, Event event) {
        return payload.put("workflowId", data.path("workflow_id").asText())
            .put("nodeId", data.path("node_id").asText())
            .put("status", status(state))
            .put("timestamp", event.ts().toString());
    }

    /** A node's state as the Praxis builder colours it, which says {@code success} and {@code error}. */
    static String status(NodeState state) {
        return switch (state) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case COMPLETED -> "success";
            case FAILED -> "error";
        };
    }

    private static void copyIfPresent(ObjectNode payload, JsonNode data, String from, String to) {
        if (data.hasNonNull(from)) {
            payload.set(to, data.get(from));
        }
    }
}

package io.agentrelay.relay.dialect.praxis;

import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.relay.dialect.InvalidFrameException;

/**
 * Workflow steps as the Praxis no-code builder draws them, React Flow nodes
 * {@code {id, type, position, data: {toolId, parameters, label, status}}} and edges {@code {id, source, target}},
 * to and from the relay's {@code {id, tool, params}}.
 */
final class BuilderNodes {

    /** What a builder node that stands for no tool (an agent, a handoff) runs: it passes, saying which node it was. */
    private static final String PASS_THROUGH_TOOL = "echo";
    /** The builder's node types ({@code workflow-builder.tsx}'s {@code nodeTypes}) other than {@code tool}. */
    private static final Set<String> TOOLLESS_TYPES = Set.of("agent", "handoff");
    private static final int COLUMN_WIDTH = 250;

    private BuilderNodes() {
    }

    /**
     * @param node      {@code {id, tool, params}}, or a builder node: one with {@code data.toolId} runs that tool; an
     *                  {@code agent} or {@code handoff} node becomes a step that only passes, as Praxis's server had
     *                  every node pass
     * @param requestId the command's id, for the error
     * @return the step, or empty when the node is neither
     * @throws InvalidFrameException {@code INVALID_REQUEST} naming the node when a builder node of another type (a
     *                               {@code tool} node with no tool picked) names no tool: it would pass and report
     *                               success without running anything
     */
    static Optional<CommandPayload.Node> step(JsonNode node, String requestId) {
        if (!node.path("id").isTextual()) {
            return Optional.empty();
        }
        String id = node.get("id").asText();
        if (node.path("tool").isTextual()) {
            return Optional.of(new CommandPayload.Node(id, node.get("tool").asText(), node.get("params")));
        }
        JsonNode data = node.get("data");
        if (data == null || !data.isObject()) {
            return Optional.empty();
        }
        String toolId = data.path("toolId").asText("");
        if (!toolId.isBlank()) {
            return Optional.of(new CommandPayload.Node(id, toolId, data.get("parameters")));
        }
        String type = node.path("type").asText("");
        if (!passesThrough(node)) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "node '" + id + "' (type '" + type
                + "') names no tool: pick one (data.toolId)", requestId);
        }
        String label = data.path("label").asText(type + " " + id);
        return Optional.of(new CommandPayload.Node(id, PASS_THROUGH_TOOL, Json.object().put("message", label)));
    }

    /** Whether a node is a builder node that stands for no tool, an agent or a handoff, and runs as a pass. */
    static boolean passesThrough(JsonNode node) {
        return !node.path("tool").isTextual() && node.path("data").path("toolId").asText("").isBlank()
            && TOOLLESS_TYPES.contains(node.path("type").asText(""));
    }

    /**
     * @param workflow a workflow's {@code {nodes: [{id, tool, params}], edges: [{from, to}]}}
     * @return {@code {nodes, edges}} as the builder draws them, left to right
     */
    static ObjectNode graph(JsonNode workflow) {
        ObjectNode graph = Json.object();
        ArrayNode nodes = graph.putArray("nodes");
        int column = 0;
        for (JsonNode step : workflow.path("nodes")) {
            String id = step.path("id").asText();
            String tool = step.path("tool").asText();
            ObjectNode node = nodes.addObject().put("id", id).put("type", "tool");
            node.putObject("position").put("x", 100 + COLUMN_WIDTH * column++).put("y", 150);
            ObjectNode data = node.putObject("data").put("id", id).put("label", tool).put("type", "tool")
                .put("source", "mcp_tools").put("toolId", tool).put("status", "idle");
            data.set("parameters", step.path("params").isObject() ? step.get("params") : Json.object());
        }
        ArrayNode edges = graph.putArray("edges");
        for (JsonNode edge : workflow.path("edges")) {
            String from = edge.path("from").asText();
            String to = edge.path("to").asText();
            edges.addObject().put("id", "edge-" + from + "-" + to).put("source", from).put("target", to)
                .put("type", "custom");
        }
        return graph;
    }
}

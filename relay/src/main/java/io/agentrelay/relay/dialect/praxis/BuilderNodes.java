package io.agentrelay.relay.dialect.praxis;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload;

/**
 * Workflow steps as the Praxis no-code builder draws them, React Flow nodes
 * {@code {id, type, position, data: {toolId, parameters, label, status}}} and edges {@code {id, source, target}},
 * to and from the relay's {@code {id, tool, params}}.
 */
final class BuilderNodes {

    /** What a builder node without a tool (an agent, a handoff) runs: it passes, saying which node it was. */
    private static final String PASS_THROUGH_TOOL = "echo";
    private static final int COLUMN_WIDTH = 250;

    private BuilderNodes() {
    }

    /**
     * @param node {@code {id, tool, params}}, or a builder node; one without {@code data.toolId} (an agent, a
     *             handoff) becomes a step that only passes, as Praxis's server had every node pass
     * @return the step, or empty when the node is neither
     */
    static Optional<CommandPayload.Node> step(JsonNode node) {
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
        String label = data.path("label").asText(node.path("type").asText("node") + " " + id);
        return Optional.of(new CommandPayload.Node(id, PASS_THROUGH_TOOL, Json.object().put("message", label)));
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

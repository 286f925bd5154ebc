package io.agentrelay.relay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;

/** Workflow requests for tests, in the canonical protocol's JSON. */
final class Workflows {

    private Workflows() {
    }

    /** a → (b, c) → d: b sleeps a little so that b and c overlap. */
    static ObjectNode diamond(String workflowId) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        ArrayNode nodes = workflow.putArray("nodes");
        nodes.add(node("a", "echo", Json.object().put("message", "top")));
        nodes.add(node("b", "sleep", Json.object().put("ms", 100)));
        nodes.add(node("c", "echo", Json.object().put("message", "right")));
        nodes.add(node("d", "echo", Json.object().put("message", "bottom")));
        ArrayNode edges = workflow.putArray("edges");
        edges.add(edge("a", "b"));
        edges.add(edge("a", "c"));
        edges.add(edge("b", "d"));
        edges.add(edge("c", "d"));
        return workflow;
    }

    /** One echo node. */
    static ObjectNode echo(String workflowId, String message) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        workflow.putArray("nodes").add(node("only", "echo", Json.object().put("message", message)));
        return workflow;
    }

    static ObjectNode node(String id, String tool, ObjectNode params) {
        ObjectNode node = Json.object().put("id", id).put("tool", tool);
        node.set("params", params);
        return node;
    }

    static ObjectNode edge(String from, String to) {
        return Json.object().put("from", from).put("to", to);
    }
}

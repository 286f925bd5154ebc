package io.agentrelay.common.state;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A completed node's output as the state topic keeps it (key {@code workflow-output:<workflow id>/<node id>}), written
 * once, in the step in which the node completed. Workflow snapshots do not repeat outputs, so what a workflow writes
 * grows with its steps and outputs, not with their product; a new owner reads both to continue a run.
 *
 * @param workflowId the workflow
 * @param nodeId     the node
 * @param output     what it returned
 */
public record NodeOutput(String workflowId, String nodeId, JsonNode output) {

    /** The key prefix of node outputs; relays, which read only {@code workflow:} and {@code panel:} keys, skip them. */
    public static final String KEY_PREFIX = "workflow-output:";

    /** The state key of a node's output. */
    public static String key(String workflowId, String nodeId) {
        return KEY_PREFIX + workflowId + "/" + nodeId;
    }
}

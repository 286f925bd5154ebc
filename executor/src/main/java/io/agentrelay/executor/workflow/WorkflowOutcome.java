package io.agentrelay.executor.workflow;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a workflow ended.
 *
 * @param workflowId the workflow
 * @param completed  true when every node completed
 * @param results    each completed node's result, by node id, in order
 * @param error      why it failed, or null
 */
public record WorkflowOutcome(String workflowId, boolean completed, Map<String, JsonNode> results, String error) {
}

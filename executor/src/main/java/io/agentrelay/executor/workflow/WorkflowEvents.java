package io.agentrelay.executor.workflow;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;

/** The events of a workflow's life, each a record whose fields become the event's snake_case data. */
final class WorkflowEvents {

    static final String WORKFLOW_STARTED = "workflow.started";
    static final String NODE_STARTED = "node.started";
    static final String NODE_PROGRESS = "node.progress";
    static final String NODE_COMPLETED = "node.completed";
    static final String STAGE_COMPLETED = "workflow.stage_completed";
    static final String NODE_FAILED = "node.failed";
    static final String WORKFLOW_COMPLETED = "workflow.completed";
    static final String WORKFLOW_FAILED = "workflow.failed";
    static final String WORKFLOW_CANCELLED = "workflow.cancelled";
    static final String WORKFLOW_REFUSED = "workflow.refused";

    private WorkflowEvents() {
    }

    /** {@code workerId} is the executor that started it; {@code traceId} the trace its steps continue. */
    record WorkflowStarted(String workflowId, int totalNodes, List<Node> nodes, List<Edge> edges, String adapter,
                           String prompt, String workerId, String traceId) {
    }

    /** Mahavishnu's name for a node completing: a stage of the workflow, with its output. */
    record StageCompleted(String workflowId, String stageName, StageResult result, int stagesCompleted,
                          int totalStages) {
    }

    record StageResult(JsonNode output, long durationMs) {
    }

    /**
     * {@code attempt} is 1, or more when a new owner runs again a node that was running when its executor died;
     * {@code workerId} is the executor that runs it, {@code traceId} the trace of its step, so that a timeline read
     * from the log alone shows who ran each attempt and which trace to look up.
     */
    record NodeStarted(String workflowId, String nodeId, String tool, int attempt, String workerId, String traceId) {
    }

    /** {@code progress} and {@code total} only when the tool reports numbers (an MCP server does). */
    record NodeProgress(String workflowId, String nodeId, String message, Double progress, Double total) {
    }

    record NodeCompleted(String workflowId, String nodeId, JsonNode result, long durationMs) {
    }

    record NodeFailed(String workflowId, String nodeId, String error, long durationMs) {
    }

    record WorkflowCompleted(String workflowId, Map<String, JsonNode> result, long durationMs) {
    }

    record WorkflowFailed(String workflowId, String error, String failedNode, long durationMs) {
    }

    record WorkflowCancelled(String workflowId, String reason, long durationMs) {
    }

    /** A request to run a workflow of an id already taken; says nothing of the run that has it. */
    record WorkflowRefused(String workflowId, String reason) {
    }

    static Event event(String workflowId, String name, Record data) {
        return Event.of(Channel.of(Namespace.WORKFLOW, workflowId), name, Json.tree(data));
    }
}

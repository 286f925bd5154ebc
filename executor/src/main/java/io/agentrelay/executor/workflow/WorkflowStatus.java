package io.agentrelay.executor.workflow;

import java.util.Map;

/**
 * A workflow's state as {@code get_workflow_status} reports it.
 *
 * @param workflowId      the workflow
 * @param status          {@code running}, {@code completed} or {@code failed}
 * @param stagesCompleted nodes completed so far
 * @param totalStages     nodes in the workflow
 * @param nodes           each node's state: {@code pending}, {@code running}, {@code completed} or {@code failed}
 * @param error           why it failed, or {@code null}
 */
public record WorkflowStatus(String workflowId, String status, int stagesCompleted, int totalStages,
                             Map<String, String> nodes, String error) {

    /** Copies the node map. */
    public WorkflowStatus {
        nodes = Map.copyOf(nodes);
    }
}

package io.agentrelay.executor.workflow;

import java.util.Map;

import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;

/**
 * A workflow's state as {@code get_workflow_status} reports it.
 *
 * @param workflowId      the workflow
 * @param status          {@code running}, {@code completed}, {@code failed} or {@code cancelled}
 *                        ({@link RunState#statusName()})
 * @param stagesCompleted nodes completed so far
 * @param totalStages     nodes in the workflow
 * @param nodes           each node's state
 * @param error           why it failed, or {@code null}
 */
public record WorkflowStatus(String workflowId, String status, int stagesCompleted, int totalStages,
                             Map<String, NodeState> nodes, String error) {

    /** Copies the node map. */
    public WorkflowStatus {
        nodes = Map.copyOf(nodes);
    }

    /**
     * @param workflowId the workflow
     * @param state      where the run is
     * @param nodes      each node's state
     * @param error      why it failed, or {@code null}
     * @return the status of a run with those nodes, all of which it counts as stages
     */
    static WorkflowStatus of(String workflowId, RunState state, Map<String, NodeState> nodes, String error) {
        return new WorkflowStatus(workflowId, state.statusName(), completed(nodes), nodes.size(), nodes, error);
    }

    /** How many of the nodes completed. */
    static int completed(Map<String, NodeState> nodes) {
        return (int) nodes.values().stream().filter(NodeState.COMPLETED::equals).count();
    }
}

package io.agentrelay.executor.workflow;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.agentrelay.common.state.WorkflowSnapshot;

/** The committed workflow snapshots of the state topic, as the engine needs them. */
public interface Snapshots {

    /** None: for an engine on its own, without Kafka. */
    Snapshots NONE = new Snapshots() {
        @Override
        public void catchUp(Duration within) {
        }

        @Override
        public Optional<WorkflowSnapshot> workflow(String workflowId) {
            return Optional.empty();
        }

        @Override
        public List<WorkflowSnapshot> runningWorkflows() {
            return List.of();
        }
    };

    /**
     * Waits until every snapshot committed until now is known.
     *
     * @param within the longest to wait
     * @throws io.agentrelay.common.protocol.RelayException with {@code UNAVAILABLE} when they cannot be read in time
     */
    void catchUp(Duration within);

    /**
     * @param workflowId a workflow
     * @return its latest snapshot as read so far
     */
    Optional<WorkflowSnapshot> workflow(String workflowId);

    /** Every workflow still running, as read so far. */
    List<WorkflowSnapshot> runningWorkflows();
}

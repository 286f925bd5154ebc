package io.agentrelay.executor.workflow;

import java.util.List;

import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.state.FollowUp;

/** Makes the events of a run's {@link FollowUp}, which its last step publishes after the workflow's own end. */
@FunctionalInterface
public interface FollowUps {

    /** None: for an engine that runs plain workflows only. */
    FollowUps NONE = (followUp, workflow, outcome) -> List.of();

    /**
     * @param followUp what the command that started the run asked for, or null for nothing
     * @param workflow the run's workflow, or null when its snapshot no longer holds it
     * @param outcome  how it ended
     * @return the events to publish with its end, none for no follow-up
     */
    List<Event> events(FollowUp followUp, ExecuteWorkflow workflow, WorkflowOutcome outcome);
}

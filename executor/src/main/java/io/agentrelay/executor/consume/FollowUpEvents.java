package io.agentrelay.executor.consume;

import java.util.List;

import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.executor.chat.ChatRunner;
import io.agentrelay.executor.dsl.DslRunner;
import io.agentrelay.executor.workflow.FollowUps;
import io.agentrelay.executor.workflow.WorkflowOutcome;

/** The follow-ups of DSL commands and chat messages, made by the runners that start their workflows. */
final class FollowUpEvents implements FollowUps {

    @Override
    public List<Event> events(FollowUp followUp, ExecuteWorkflow workflow, WorkflowOutcome outcome) {
        if (followUp == null) {
            return List.of();
        }
        if (followUp instanceof FollowUp.DslResult dsl) {
            return List.of(DslRunner.result(dsl, workflow, outcome));
        }
        if (followUp instanceof FollowUp.ChatReport chat) {
            return ChatRunner.report(chat, workflow == null ? List.of() : workflow.nodes(), outcome);
        }
        throw new IllegalArgumentException("unknown follow-up " + followUp);
    }
}

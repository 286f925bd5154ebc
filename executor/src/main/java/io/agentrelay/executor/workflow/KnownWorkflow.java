package io.agentrelay.executor.workflow;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.common.state.RunState;

/** A workflow this executor ran or refused, as its queries see it. */
interface KnownWorkflow {

    /** Where it is. */
    RunState runState();

    /** Its state for {@code get_workflow_status}. */
    WorkflowStatus status();

    /** Its state as a session, for {@code get_session_state}. */
    ObjectNode sessionState();

    /** Its log lines, for {@code get_session_logs}. */
    ArrayNode logs();

    /** The id of the command that started it, or null when unknown. */
    String commandId();

    /** The key whose command partition owns it. */
    String ownerKey();

    /** What its last step also publishes for the command that started it, or null for none. */
    FollowUp followUp();

    /** The workflow as sent, or null when its snapshot no longer holds it. */
    ExecuteWorkflow workflow();

    /** How it ended; empty while it runs. */
    Optional<WorkflowOutcome> ending();
}

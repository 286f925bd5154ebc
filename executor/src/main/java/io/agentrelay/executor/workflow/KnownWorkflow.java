package io.agentrelay.executor.workflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A workflow this executor ran or refused, as its queries see it. */
interface KnownWorkflow {

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
}

package io.agentrelay.executor.workflow;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;

/**
 * A workflow that failed validation and never ran.
 *
 * @param workflow  the workflow as sent
 * @param error     why it was refused
 * @param at        when
 * @param commandId the command that asked for it
 * @param ownerKey  that command's key
 * @param followUp  what its refusal also published for that command, or null
 */
record RefusedWorkflow(ExecuteWorkflow workflow, String error, Instant at, String commandId, String ownerKey,
                       FollowUp followUp) implements KnownWorkflow {

    /** Its snapshot: failed from the start, so that a retry of its command is recognised after a restart too. */
    WorkflowSnapshot snapshot() {
        return new WorkflowSnapshot(workflow.workflowId(), workflow.prompt() == null ? "" : workflow.prompt(),
            RunState.FAILED, 0, workflow.nodes().size(), at, ownerKey, commandId, workflow, Map.of(), Map.of(), error,
            null, null, followUp);
    }

    /** How it ended: failed, with the reason it was refused. */
    WorkflowOutcome outcome() {
        return new WorkflowOutcome(workflow.workflowId(), false, Map.of(), error);
    }

    @Override
    public Optional<WorkflowOutcome> ending() {
        return Optional.of(outcome());
    }

    @Override
    public RunState runState() {
        return RunState.FAILED;
    }

    @Override
    public WorkflowStatus status() {
        return new WorkflowStatus(workflow.workflowId(), RunState.FAILED.statusName(), 0, workflow.nodes().size(),
            Map.of(), error);
    }

    @Override
    public ObjectNode sessionState() {
        ObjectNode state = Json.object()
            .put("session_id", workflow.workflowId())
            .put("query", workflow.prompt() == null ? "" : workflow.prompt())
            .put("current_phase", RunState.FAILED.wireName())
            .put("overall_progress", 0)
            .put("error", error);
        state.putArray("active_agents");
        state.putArray("crew_output");
        return state;
    }

    @Override
    public ArrayNode logs() {
        ArrayNode logs = Json.object().arrayNode();
        logs.addObject()
            .put("timestamp", at.toString())
            .put("level", "error")
            .put("agent", "coordinator")
            .put("message", "Refused: " + error)
            .putObject("details");
        return logs;
    }
}

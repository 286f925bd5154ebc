package io.agentrelay.executor.workflow;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;

/**
 * A workflow known only from its snapshot in the state topic: one this executor did not run, or ran before it
 * restarted. Its log lines were kept by the executor that ran it.
 *
 * @param snapshot its last committed state
 */
record StoredWorkflow(WorkflowSnapshot snapshot) implements KnownWorkflow {

    @Override
    public RunState runState() {
        return snapshot.status();
    }

    @Override
    public WorkflowStatus status() {
        return WorkflowStatus.of(snapshot.sessionId(), snapshot.status(), snapshot.nodes(), snapshot.error());
    }

    @Override
    public ObjectNode sessionState() {
        int completed = WorkflowStatus.completed(snapshot.nodes());
        ObjectNode state = Json.object()
            .put("session_id", snapshot.sessionId())
            .put("query", snapshot.query())
            .put("current_phase", snapshot.status().wireName())
            .put("overall_progress", snapshot.nodes().isEmpty() ? 0 : 100 * completed / snapshot.nodes().size());
        ArrayNode agents = state.putArray("active_agents");
        snapshot.nodes().forEach((node, nodeState) -> agents.addObject()
            .put("agent_name", node)
            .put("status", RunJournal.agentStatus(nodeState))
            .put("progress", nodeState == NodeState.COMPLETED ? 100 : 0));
        ArrayNode output = state.putArray("crew_output");
        snapshot.results().forEach((node, result) -> output.addObject().put("agent", node).set("output", result));
        return state;
    }

    @Override
    public String commandId() {
        return snapshot.commandId();
    }

    @Override
    public String ownerKey() {
        return snapshot.ownerKey();
    }

    @Override
    public FollowUp followUp() {
        return snapshot.followUp();
    }

    @Override
    public ExecuteWorkflow workflow() {
        return snapshot.workflow();
    }

    @Override
    public Optional<WorkflowOutcome> ending() {
        return snapshot.running() ? Optional.empty() : Optional.of(new WorkflowOutcome(snapshot.sessionId(),
            snapshot.status() == RunState.COMPLETED, snapshot.results(), snapshot.error()));
    }

    @Override
    public ArrayNode logs() {
        return Json.object().arrayNode();
    }
}

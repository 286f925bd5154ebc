package io.agentrelay.common.state;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;

/**
 * A workflow as the state topic keeps it (key {@code workflow:<id>}), written by its owner in the same transaction as
 * the events of each step: what a new owner resumes from. Its first fields are those of a {@link SessionSnapshot},
 * which is how relays read it.
 *
 * @param sessionId    the workflow's id
 * @param query        its prompt, or empty
 * @param status       {@code processing} while it runs, then {@code completed}, {@code failed} or {@code cancelled}
 * @param agentsActive nodes running now
 * @param agentsTotal  nodes in all
 * @param startedAt    when it started
 * @param ownerKey     the key of the command that started it ({@code workflow:<id>}, or {@code session:<id>} for a
 *                     chat's workflow): its partition decides which executor owns the run
 * @param commandId    the id of that command, so that a retry of it is recognised
 * @param workflow     the workflow as sent
 * @param nodes        each node's state: {@code pending}, {@code running}, {@code completed} or {@code failed}
 * @param results      each completed node's result, in snapshots written before outputs were kept apart; now empty:
 *                     the outputs are {@link NodeOutput} records, which {@link #withResults} adds back
 * @param error        why it failed or was cancelled, or null
 * @param deadline     when it fails unless done, or null
 * @param traceparent  the trace of the command that started it, which its steps continue, or null
 * @param followUp     what its last step also publishes for the command that started it, or null for none
 */
public record WorkflowSnapshot(String sessionId, String query, RunState status, int agentsActive, int agentsTotal,
                               Instant startedAt, String ownerKey, String commandId, ExecuteWorkflow workflow,
                               Map<String, NodeState> nodes, Map<String, JsonNode> results, String error,
                               Instant deadline, String traceparent, FollowUp followUp) {

    /**
     * Copies the maps. A snapshot without a status, or a node without a state, reads as {@link RunState#FAILED} and
     * {@link NodeState#PENDING}, as unknown names do: that is how executors treated them when states were strings.
     */
    public WorkflowSnapshot {
        status = status == null ? RunState.FAILED : status;
        Map<String, NodeState> known = new HashMap<>();
        if (nodes != null) {
            nodes.forEach((node, state) -> known.put(node, state == null ? NodeState.PENDING : state));
        }
        nodes = Map.copyOf(known);
        results = results == null ? Map.of() : Map.copyOf(results);
    }

    /** The state key of a workflow. */
    public static String key(String workflowId) {
        return SessionSnapshot.key(workflowId);
    }

    /**
     * @param outputs node outputs read from the state topic, by node id
     * @return this snapshot with the outputs of its completed nodes as results
     */
    public WorkflowSnapshot withResults(Map<String, JsonNode> outputs) {
        Map<String, JsonNode> merged = new HashMap<>(results);
        outputs.forEach((node, output) -> {
            if (nodes.get(node) == NodeState.COMPLETED) {
                merged.put(node, output);
            }
        });
        return new WorkflowSnapshot(sessionId, query, status, agentsActive, agentsTotal, startedAt, ownerKey, commandId,
            workflow, nodes, merged, error, deadline, traceparent, followUp);
    }

    /** Whether the workflow is still running. */
    public boolean running() {
        return status == RunState.RUNNING;
    }
}

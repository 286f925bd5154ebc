package io.agentrelay.tools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.state.WorkflowSnapshot;

/**
 * A workflow's last state as its owner recorded it, beside the story its events tell: its snapshot in the state topic
 * (compacted, so it outlives the events' retention), or the answer to {@code get_workflow_status} through a relay.
 *
 * @param source where it was read: {@code state topic} or {@code get_workflow_status}
 * @param status running, completed, failed or cancelled
 * @param nodes  each node's state: pending, running, completed or failed
 * @param error  why it failed or was cancelled, or null
 */
record WorkflowState(String source, String status, Map<String, String> nodes, String error) {

    WorkflowState {
        nodes = new TreeMap<>(nodes);
    }

    static WorkflowState of(WorkflowSnapshot snapshot) {
        Map<String, String> nodes = new TreeMap<>();
        snapshot.nodes().forEach((node, state) -> nodes.put(node, state.wireName()));
        return new WorkflowState("state topic", snapshot.status().statusName(), nodes, snapshot.error());
    }

    /** From the data of a {@code get_workflow_status} answer. */
    static WorkflowState ofStatus(JsonNode data) {
        Map<String, String> nodes = new TreeMap<>();
        data.path("nodes").properties().forEach(node -> nodes.put(node.getKey(), node.getValue().asText()));
        return new WorkflowState("get_workflow_status", data.path("status").asText(), nodes,
            data.hasNonNull("error") ? data.path("error").asText() : null);
    }

    /**
     * Where this state and the events' story disagree: the status, and each node whose last attempt ended otherwise
     * than the state says. A story whose start retention deleted ({@code unknown}) has nothing to disagree with.
     */
    List<String> disagreements(WorkflowTimeline timeline) {
        List<String> found = new ArrayList<>();
        if (!"unknown".equals(timeline.status()) && !timeline.status().equals(status)) {
            found.add("the events say " + timeline.status() + ", the " + source + " says " + status);
        }
        for (WorkflowTimeline.NodeRun node : timeline.nodes()) {
            String recorded = nodes.get(node.nodeId());
            if (node.attempts().isEmpty() || recorded == null) {
                continue;
            }
            String told = node.attempts().get(node.attempts().size() - 1).outcome();
            if (!"interrupted".equals(told) && !told.equals(recorded)) {
                found.add("node " + node.nodeId() + ": the events say " + told + ", the " + source + " says "
                    + recorded);
            }
        }
        return found;
    }
}

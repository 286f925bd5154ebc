package io.agentrelay.executor.workflow;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;

/**
 * A workflow run seen as a session of agent work, whose agents are its steps: it makes a {@code workflow.log} line
 * for each step transition and a {@code workflow.handoff} when a step starts on another's output (the run publishes
 * them with the step), keeps the log lines for {@code get_session_logs}, and builds the state
 * {@code get_session_state} answers. Thread-safe.
 */
final class RunJournal {

    static final String LOG = "workflow.log";
    static final String HANDOFF = "workflow.handoff";
    static final int MAX_LOG_LINES = 1_000;
    private static final String COORDINATOR = "coordinator";

    private final WorkflowGraph graph;
    private final Deque<ObjectNode> lines = new ArrayDeque<>();

    RunJournal(WorkflowGraph graph) {
        this.graph = graph;
    }

    synchronized Event started() {
        return log("info", COORDINATOR, "Session started with " + graph.order().size() + " steps", null);
    }

    synchronized Event resumed(String workerId) {
        return log("warn", COORDINATOR, "Session resumed by " + workerId + " after its executor stopped", null);
    }

    synchronized List<Event> nodeStarted(Node node, Node handedOffBy, int attempt) {
        List<Event> events = new ArrayList<>();
        if (handedOffBy != null) {
            events.add(WorkflowEvents.event(graph.workflowId(), HANDOFF, new Handoff(graph.workflowId(),
                handedOffBy.id(), node.id(), handedOffBy.tool(), node.tool(),
                "'" + node.id() + "' continues from the output of '" + handedOffBy.id() + "'")));
        }
        events.add(log("info", node.id(), attempt > 1 ? "Starting " + node.tool() + " again (attempt " + attempt + ")"
            : "Starting " + node.tool(), Json.object().put("tool", node.tool())));
        return events;
    }

    synchronized Event nodeProgress(Node node, String message) {
        return log("info", node.id(), message, null);
    }

    synchronized Event nodeCompleted(Node node, long durationMs) {
        return log("info", node.id(), "Completed in " + durationMs + " ms", Json.object().put("duration_ms", durationMs));
    }

    synchronized Event nodeFailed(Node node, String reason) {
        return log("error", node.id(), "Failed: " + reason, null);
    }

    synchronized Event ended(RunState outcome, String error) {
        return switch (outcome) {
            case COMPLETED -> log("info", COORDINATOR, "Session completed", null);
            case CANCELLED -> log("warn", COORDINATOR, "Session cancelled: " + error, null);
            case FAILED -> log("error", COORDINATOR, "Session failed: " + error, null);
            case RUNNING -> throw new IllegalArgumentException("a run that ends is not running");
        };
    }

    /** The log lines so far, oldest first; at most {@value #MAX_LOG_LINES}, the oldest dropped. */
    synchronized ArrayNode logs() {
        ArrayNode logs = Json.object().arrayNode();
        lines.forEach(logs::add);
        return logs;
    }

    /**
     * The session's state as {@code get_session_state} answers it.
     *
     * @param runState   where the run is
     * @param nodeStates each node's state
     * @param results    each completed node's result
     */
    synchronized ObjectNode state(RunState runState, Map<String, NodeState> nodeStates,
                                  Map<String, JsonNode> results) {
        int completed = WorkflowStatus.completed(nodeStates);
        ObjectNode state = Json.object()
            .put("session_id", graph.workflowId())
            .put("query", query())
            .put("current_phase", runState.wireName())
            .put("overall_progress", nodeStates.isEmpty() ? 0 : 100 * completed / nodeStates.size());
        ArrayNode agents = state.putArray("active_agents");
        ArrayNode output = state.putArray("crew_output");
        for (Node node : graph.order()) {
            NodeState nodeState = nodeStates.get(node.id());
            ObjectNode agent = agents.addObject()
                .put("agent_name", node.id())
                .put("status", agentStatus(nodeState))
                .put("progress", nodeState == NodeState.COMPLETED ? 100 : 0)
                .put("current_task", node.tool());
            agent.putObject("details").put("tool", node.tool()).put("state", nodeState.wireName());
            JsonNode result = results.get(node.id());
            if (result != null) {
                output.addObject().put("agent", node.id()).set("output", result);
            }
        }
        return state;
    }

    /** A node's state as Mahavishnu names an agent's status. */
    static String agentStatus(NodeState nodeState) {
        return switch (nodeState) {
            case RUNNING -> "PROCESSING";
            case COMPLETED -> "COMPLETED";
            case FAILED -> "ERROR";
            case PENDING -> "IDLE";
        };
    }

    String query() {
        String prompt = graph.workflow().prompt();
        return prompt == null ? "" : prompt;
    }

    private Event log(String level, String agent, String message, ObjectNode details) {
        ObjectNode line = Json.object()
            .put("timestamp", Instant.now().toString())
            .put("level", level)
            .put("agent", agent)
            .put("message", message);
        line.set("details", details == null ? Json.object() : details);
        if (lines.size() == MAX_LOG_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
        return WorkflowEvents.event(graph.workflowId(), LOG, new LogLine(graph.workflowId(), level, agent, message,
            line.get("details")));
    }

    record Handoff(String workflowId, String fromNode, String toNode, String fromTool, String toTool, String reason) {
    }

    record LogLine(String workflowId, String level, String agent, String message, JsonNode details) {
    }
}

package io.agentrelay.executor.workflow;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.state.SessionSnapshot;

/**
 * A workflow run seen as a session of agent work, whose agents are its steps: it publishes a {@code workflow.log}
 * line for each step transition and a {@code workflow.handoff} when a step starts on another's output, keeps the
 * log lines for {@code get_session_logs}, reports the session's snapshot as its agents start and stop, and builds
 * the state {@code get_session_state} answers. Thread-safe.
 */
final class RunJournal {

    static final String LOG = "workflow.log";
    static final String HANDOFF = "workflow.handoff";
    static final int MAX_LOG_LINES = 1_000;
    private static final String COORDINATOR = "coordinator";

    private final WorkflowGraph graph;
    private final EventSink sink;
    private final SessionListener sessions;
    private final Instant startedAt = Instant.now();
    private final Deque<ObjectNode> lines = new ArrayDeque<>();
    private int active;

    RunJournal(WorkflowGraph graph, EventSink sink, SessionListener sessions) {
        this.graph = graph;
        this.sink = sink;
        this.sessions = sessions;
    }

    synchronized void started() {
        log("info", COORDINATOR, "Session started with " + graph.order().size() + " steps", null);
        sessions.changed(snapshot());
    }

    synchronized void nodeStarted(Node node, Node handedOffBy) {
        if (handedOffBy != null) {
            sink.publish(WorkflowEvents.event(graph.workflowId(), HANDOFF, new Handoff(graph.workflowId(),
                handedOffBy.id(), node.id(), handedOffBy.tool(), node.tool(),
                "'" + node.id() + "' continues from the output of '" + handedOffBy.id() + "'")));
        }
        log("info", node.id(), "Starting " + node.tool(), Json.object().put("tool", node.tool()));
        active++;
        sessions.changed(snapshot());
    }

    synchronized void nodeProgress(Node node, String message) {
        log("info", node.id(), message, null);
    }

    synchronized void nodeCompleted(Node node, long durationMs) {
        log("info", node.id(), "Completed in " + durationMs + " ms", Json.object().put("duration_ms", durationMs));
        active--;
        sessions.changed(snapshot());
    }

    synchronized void nodeFailed(Node node, String reason) {
        log("error", node.id(), "Failed: " + reason, null);
        active--;
        sessions.changed(snapshot());
    }

    synchronized void ended(boolean completed, String error) {
        log(completed ? "info" : "error", COORDINATOR, completed ? "Session completed" : "Session failed: " + error,
            null);
        sessions.ended(graph.workflowId());
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
     * @param runState   {@code running}, {@code completed} or {@code failed}
     * @param nodeStates each node's state
     * @param results    each completed node's result
     */
    synchronized ObjectNode state(String runState, Map<String, String> nodeStates, Map<String, JsonNode> results) {
        int completed = (int) nodeStates.values().stream().filter("completed"::equals).count();
        ObjectNode state = Json.object()
            .put("session_id", graph.workflowId())
            .put("query", query())
            .put("current_phase", "running".equals(runState) ? "processing" : runState)
            .put("overall_progress", nodeStates.isEmpty() ? 0 : 100 * completed / nodeStates.size());
        ArrayNode agents = state.putArray("active_agents");
        ArrayNode output = state.putArray("crew_output");
        for (Node node : graph.order()) {
            String nodeState = nodeStates.get(node.id());
            ObjectNode agent = agents.addObject()
                .put("agent_name", node.id())
                .put("status", agentStatus(nodeState))
                .put("progress", "completed".equals(nodeState) ? 100 : 0)
                .put("current_task", node.tool());
            agent.putObject("details").put("tool", node.tool()).put("state", nodeState);
            JsonNode result = results.get(node.id());
            if (result != null) {
                output.addObject().put("agent", node.id()).set("output", result);
            }
        }
        return state;
    }

    private static String agentStatus(String nodeState) {
        return switch (nodeState) {
            case "running" -> "PROCESSING";
            case "completed" -> "COMPLETED";
            case "failed" -> "ERROR";
            default -> "IDLE";
        };
    }

    private SessionSnapshot snapshot() {
        return new SessionSnapshot(graph.workflowId(), query(), "processing", active, graph.order().size(),
            startedAt);
    }

    private String query() {
        String prompt = graph.workflow().prompt();
        return prompt == null ? "" : prompt;
    }

    private void log(String level, String agent, String message, ObjectNode details) {
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
        sink.publish(WorkflowEvents.event(graph.workflowId(), LOG, new LogLine(graph.workflowId(), level, agent,
            message, line.get("details"))));
    }

    record Handoff(String workflowId, String fromNode, String toNode, String fromTool, String toTool, String reason) {
    }

    record LogLine(String workflowId, String level, String agent, String message, JsonNode details) {
    }
}

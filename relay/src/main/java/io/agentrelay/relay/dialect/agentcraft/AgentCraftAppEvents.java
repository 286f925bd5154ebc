package io.agentrelay.relay.dialect.agentcraft;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Position;

/**
 * Workflow events as the frames AgentCraft's React app reads on {@code /api/ws/agent-tracking}: the types its tracker
 * broadcast ({@code session_started}, {@code agent_status_update}, {@code phase_update}, {@code crew_output},
 * {@code crewai_log}, …), each with the {@code data} object that {@code MultiAgentDemo.js} reads and the tracker's
 * {@code state} that {@code AgentChat.js} reads.
 *
 * <p>AgentCraft's tracker sent every agent of the session in {@code state.active_agents}, and {@code AgentChat.js}
 * replaces its whole map of agents with each frame's: so a roster of each running session's agents is kept here,
 * updated once per live event (the fan-out encodes an event once for all connections of the endpoint), and dropped
 * when the session ends. Replayed events and events older than the roster's last leave it alone.
 *
 * <p>Where {@code MultiAgentDemo.js} and {@code AgentChat.js} disagree, both are served: a session's end is
 * {@code session_complete} (which {@code MultiAgentDemo.js} matches) followed by {@code session_completed} (the
 * tracker's name, on which {@code AgentChat.js} marks every agent finished, {@link #trailer}). {@code data.status} is
 * upper case ({@code PROCESSING}, {@code FINISHED}, {@code ERROR}), which {@code MultiAgentDemo.js} compares with,
 * while {@code state.active_agents[].status} keeps the tracker's lower case, which {@code AgentChat.js} colours.
 */
final class AgentCraftAppEvents {

    /** A roster not touched for this long, of a session whose end this node never saw, is dropped. */
    private static final Duration ABANDONED = Duration.ofHours(1);
    private static final Set<String> ENDS = Set.of("workflow.completed", "workflow.failed", "workflow.cancelled");

    private final Map<String, Roster> rosters = new ConcurrentHashMap<>();

    /**
     * A live event's frame; updates the session's roster.
     *
     * @param event    a canonical event
     * @param position where it was read, so that an older event cannot undo a newer one
     * @return its frame, or null when the app has no use for it
     */
    byte[] live(Event event, Position position) {
        if ("workflow.log".equals(event.event())) {
            return Json.toBytes(log(event));
        }
        String sessionId = sessionId(event);
        if ("workflow.started".equals(event.event())) {
            rosters.values().removeIf(roster -> roster.touched.plus(ABANDONED).isBefore(event.ts()));
        }
        Roster roster = rosters.computeIfAbsent(sessionId, id -> new Roster());
        ObjectNode frame;
        synchronized (roster) {
            boolean newer = position == null || position.offset() > roster.offset;
            if (newer) {
                roster.offset = position == null ? roster.offset : position.offset();
                roster.apply(event);
            }
            frame = frame(event, roster);
        }
        if (ENDS.contains(event.event())) {
            rosters.remove(sessionId);
        }
        return frame == null ? null : Json.toBytes(frame);
    }

    /**
     * A replayed event's frame, with only the event's own agent in {@code state}.
     *
     * @param event a canonical event
     * @return its frame, or null when the app has no use for it
     */
    static byte[] replayed(Event event) {
        if ("workflow.log".equals(event.event())) {
            return Json.toBytes(log(event));
        }
        Roster roster = new Roster();
        roster.apply(event);
        ObjectNode frame = frame(event, roster);
        return frame == null ? null : Json.toBytes(frame);
    }

    /**
     * @param event a canonical event
     * @return the frame sent right after the event's, or null: {@code session_completed} after a completed session
     */
    static byte[] trailer(Event event) {
        if (!"workflow.completed".equals(event.event())) {
            return null;
        }
        return Json.toBytes(Json.object().put("type", "session_completed").put("session_id", sessionId(event))
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts())));
    }

    private static ObjectNode frame(Event event, Roster roster) {
        JsonNode data = event.data();
        AgentStep step = AgentStep.of(event);
        if (step != null) {
            Agent agent = roster.agents.get(step.nodeId());
            ObjectNode update = data(event).put("agent_name", step.nodeId()).put("status", appStatus(step.state()));
            if (agent != null) {
                update.put("progress", agent.progress).put("current_task", agent.task);
            }
            return withState("agent_status_update", event, update.put("details", step.details()), roster);
        }
        return switch (event.event()) {
            case "workflow.started" -> {
                ObjectNode started = data(event).put("query", data.path("prompt").asText(""));
                ArrayNode names = started.putArray("agent_names");
                roster.agents.keySet().forEach(names::add);
                yield withState("session_started", event, started, roster);
            }
            case "workflow.handoff" -> withState("phase_update", event, data(event)
                .put("phase", data.path("from_node").asText() + " → " + data.path("to_node").asText())
                .put("details", data.path("reason").asText()), roster);
            case "workflow.stage_completed" -> {
                JsonNode output = data.path("result").path("output");
                yield withState("crew_output", event, data(event)
                    .put("output_type", "task_output")
                    .put("content", output.isTextual() ? output.asText() : Json.toText(output))
                    .put("agent_name", data.path("stage_name").asText()), roster);
            }
            case "workflow.completed" -> withState("session_complete", event,
                data(event).put("duration_ms", data.path("duration_ms").asLong()), roster);
            case "workflow.failed" -> withState("session_error", event,
                data(event).put("error", data.path("error").asText()), roster);
            case "workflow.cancelled" -> withState("session_error", event,
                data(event).put("error", data.path("reason").asText()), roster);
            default -> null;
        };
    }

    /** {@code {type, session_id, timestamp, data, state}}: the tracker's state with every agent of the session. */
    private static ObjectNode withState(String type, Event event, ObjectNode data, Roster roster) {
        ObjectNode frame = Json.object().put("type", type).put("session_id", sessionId(event))
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()));
        frame.set("data", data);
        ObjectNode state = data(event).put("query", roster.query).put("total_agents", roster.agents.size())
            .put("current_phase", roster.phase).put("overall_progress", roster.overallProgress());
        ArrayNode agents = state.putArray("active_agents");
        roster.agents.forEach((name, agent) -> agents.addObject()
            .put("agent_id", sessionId(event) + "/" + name)
            .put("agent_name", name)
            .put("status", agent.status)
            .put("current_task", agent.task)
            .put("progress", agent.progress)
            .put("details", agent.details)
            .put("updated_at", AgentCraftDialect.epochSeconds(agent.updatedAt)));
        frame.set("state", state);
        return frame;
    }

    private static String appStatus(AgentStep.State state) {
        return switch (state) {
            case PROCESSING -> "PROCESSING";
            case DONE -> "FINISHED";
            case ERROR -> "ERROR";
        };
    }

    private static ObjectNode data(Event event) {
        return Json.object().put("session_id", sessionId(event));
    }

    /** {@code crewai_log {log}}, as AgentCraft's log streamer sent each log record. */
    private static ObjectNode log(Event event) {
        JsonNode data = event.data();
        String level = data.path("level").asText("info").toUpperCase(Locale.ROOT);
        ObjectNode log = Json.object()
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()))
            .put("datetime", event.ts().toString())
            .put("session_id", sessionId(event))
            .put("level", "WARN".equals(level) ? "WARNING" : level)
            .put("message", data.path("message").asText())
            .put("raw_message", data.path("message").asText())
            .put("source", "agent_relay");
        String agent = data.path("agent").asText("");
        if (!agent.isEmpty()) {
            log.put("event_type", "agent_log");
            log.putObject("agent_info").put("agent_name", agent);
        }
        ObjectNode frame = Json.object().put("type", "crewai_log")
            .put("timestamp", AgentCraftDialect.epochSeconds(event.ts()));
        frame.set("log", log);
        return frame;
    }

    private static String sessionId(Event event) {
        return event.data().path("workflow_id").asText();
    }

    /** One agent in the tracker's state. */
    private static final class Agent {
        String status = "idle";
        String task = "";
        int progress;
        String details = "";
        Instant updatedAt;

        Agent(Instant at) {
            updatedAt = at;
        }
    }

    /** A session's agents, in the workflow's order; guarded by itself. */
    private static final class Roster {
        final Map<String, Agent> agents = new LinkedHashMap<>();
        long offset = -1;
        String query = "";
        String phase = "agent_initialization";
        Instant touched = Instant.now();

        void apply(Event event) {
            touched = event.ts();
            JsonNode data = event.data();
            switch (event.event()) {
                case "workflow.started" -> {
                    query = data.path("prompt").asText("");
                    data.path("nodes").forEach(node -> agents.computeIfAbsent(node.path("id").asText(),
                        id -> new Agent(event.ts())));
                }
                case "workflow.handoff" -> phase = data.path("to_node").asText(phase);
                case "workflow.completed" -> {
                    phase = "completed";
                    agents.values().forEach(agent -> {
                        agent.status = "finished";
                        agent.progress = 100;
                    });
                }
                case "workflow.failed", "workflow.cancelled" -> phase = "error";
                default -> {
                    AgentStep step = AgentStep.of(event);
                    if (step != null) {
                        Agent agent = agents.computeIfAbsent(step.nodeId(), id -> new Agent(event.ts()));
                        agent.status = appStatus(step.state()).toLowerCase(Locale.ROOT);
                        if (step.tool() != null) {
                            agent.task = step.tool();
                        }
                        agent.progress = step.progress() != null ? step.progress() : agent.progress;
                        agent.details = step.details();
                        agent.updatedAt = event.ts();
                    }
                }
            }
        }

        int overallProgress() {
            return agents.isEmpty() ? 0
                : (int) agents.values().stream().mapToInt(agent -> agent.progress).average().orElse(0);
        }
    }
}

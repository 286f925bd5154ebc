package io.agentrelay.relay.dialect.agentcraft;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.relay.dialect.Connection;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.inbound.Request;
import io.agentrelay.relay.session.EventFilter;
import io.agentrelay.relay.session.FrameRate;
import io.agentrelay.relay.session.WsCloseCodes;
import io.agentrelay.relay.state.EntityDirectory;

/**
 * AgentCraft, on {@code /ws/agent-tracking/{client_id}}: flat frames {@code {type, …}} in snake_case. A session is a
 * unit of agent work (a workflow, however started) and its agents are the workflow's steps; {@code agent_status},
 * {@code agent_collaboration} and {@code session_logs} frames are the workflow's events seen that way.
 *
 * <p>Choices where the AgentCraft document is silent or loose:
 * <ul>
 *   <li>{@code active_sessions} lists the sessions the client's token may read, right after connecting and whenever
 *       sessions start, end or change their count of active agents.</li>
 *   <li>A client receives agent frames for the sessions it follows: it follows one by asking for its state or logs,
 *       or by streaming its logs. (AgentCraft's server broadcast every agent to every client; a shared relay must not.)
 *       Each session also has a coordinator agent ({@code <session>/coordinator}): ANALYZING when the session starts,
 *       COLLABORATING with its progress as steps complete, then COMPLETED or ERROR.</li>
 *   <li>{@code start_log_streaming} turns on live {@code session_logs} frames, one per log line, and follows the
 *       session; {@code stop_log_streaming} turns them off for every session.</li>
 *   <li>Over the rate limit (60 messages a minute by default) the client gets an {@code error} frame with code
 *       {@code RATE_LIMITED} instead of silence; errors are {@code {type: "error", code, message, timestamp}}.</li>
 *   <li>The server pings after the configured silence; a client silent for three intervals is disconnected.</li>
 * </ul>
 */
public final class AgentCraftDialect implements Dialect {

    /** AgentCraft's own check of client ids. */
    static final Pattern CLIENT_ID = Pattern.compile("^client_\\d+_[a-z0-9]+$");
    private static final String LOG = "workflow.log";
    private static final Set<String> AGENT_EVENTS = Set.of("workflow.started", "workflow.stage_completed",
        "workflow.completed", "workflow.failed", "workflow.handoff", "node.started", "node.progress", "node.completed",
        "node.failed");
    private static final List<String> TYPES = List.of("get_session_state", "get_session_logs", "start_log_streaming",
        "stop_log_streaming", "pong");

    private final EntityDirectory directory;
    private final Duration pingAfter;
    private final FrameRate rate;

    /**
     * @param directory     the active sessions
     * @param pingAfter     the silence after which the server pings
     * @param ratePerMinute messages a minute one client may send
     */
    public AgentCraftDialect(EntityDirectory directory, Duration pingAfter, int ratePerMinute) {
        this.directory = directory;
        this.pingAfter = pingAfter;
        this.rate = FrameRate.perMinute(ratePerMinute);
    }

    @Override
    public String name() {
        return "agentcraft";
    }

    @Override
    public Opening open(Connection connection, String nodeId) {
        if (!CLIENT_ID.matcher(connection.resource()).matches()) {
            return new Opening.Refuse(WsCloseCodes.POLICY_VIOLATION, "Invalid client ID");
        }
        return Opening.welcome(sessionsChanged(connection, directory.activeSessions()));
    }

    @Override
    public Request decode(String text, Connection connection) {
        ObjectNode frame = InvalidFrameException.parseObject(text, "Invalid message format");
        String id = UUID.randomUUID().toString();
        String type = frame.path("type").asText("");
        try {
            switch (type) {
                case "get_session_state":
                    return new Request.SendCommand(id, new CommandPayload.GetSessionState(sessionId(frame)), true);
                case "get_session_logs":
                    return new Request.SendCommand(id, new CommandPayload.GetSessionLogs(sessionId(frame)), true);
                case "start_log_streaming":
                    return new Request.Watch(id, type, Channel.of(Namespace.WORKFLOW, sessionId(frame)), Set.of(LOG));
                case "stop_log_streaming":
                    return new Request.FilterEvents(id, type, Set.of(), Set.of(LOG));
                case "pong":
                    return new Request.Pong(id);
                case "ping":
                    return new Request.Ping(id);
                default:
                    throw new InvalidFrameException(ErrorCode.UNKNOWN_REQUEST, "Unknown message type '"
                        + (type.length() > 64 ? type.substring(0, 64) : type) + "'; known: " + TYPES, null);
            }
        } catch (InvalidFrameException e) {
            throw e;
        } catch (RelayException e) {
            throw new InvalidFrameException(e.code(), e.getMessage(), null);
        }
    }

    private static String sessionId(ObjectNode frame) {
        JsonNode sessionId = frame.get("session_id");
        if (sessionId == null || !sessionId.isTextual()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "'session_id' must be a string", null);
        }
        return Channel.of(Namespace.WORKFLOW, sessionId.asText()).id();
    }

    @Override
    public byte[] response(Request request, JsonNode data) {
        return request instanceof Request.Ping ? Json.toBytes(Json.object().put("type", "pong")
            .put("timestamp", epochSeconds(Instant.now()))) : null;
    }

    @Override
    public byte[] reply(Event reply) {
        if (Event.ERROR.equals(reply.event())) {
            return error(reply.data().path("error_code").asText(ErrorCode.SERVER_ERROR.name()),
                reply.data().path("error_message").asText(), reply.ts());
        }
        String type = switch (reply.event()) {
            case "get_session_state" -> "session_state";
            case "get_session_logs" -> "session_logs";
            default -> reply.event();
        };
        ObjectNode frame = Json.object().put("type", type);
        frame.setAll((ObjectNode) reply.data());
        frame.put("timestamp", epochSeconds(reply.ts()));
        return Json.toBytes(frame);
    }

    @Override
    public byte[] error(ErrorCode code, String message, String correlationId) {
        return error(code.name(), message, Instant.now());
    }

    private static byte[] error(String code, String message, Instant at) {
        return Json.toBytes(Json.object().put("type", "error").put("code", code).put("message", message)
            .put("timestamp", epochSeconds(at)));
    }

    @Override
    public byte[] event(Event event, Position position) {
        return AgentCraftEvents.frame(event);
    }

    @Override
    public byte[] replayed(Event event, Position position) {
        return AgentCraftEvents.frame(event);
    }

    @Override
    public byte[] replayCompleted(Request request, String channel, long count) {
        // AgentCraft clients cannot ask for replays.
        return null;
    }

    @Override
    public EventFilter initialFilter() {
        return EventFilter.of(AGENT_EVENTS);
    }

    @Override
    public Duration silenceLimit() {
        return pingAfter.multipliedBy(3);
    }

    @Override
    public Optional<FrameRate> frameRate() {
        return Optional.of(rate);
    }

    @Override
    public Duration pingAfter() {
        return pingAfter;
    }

    @Override
    public byte[] ping() {
        return Json.toBytes(Json.object().put("type", "ping").put("timestamp", epochSeconds(Instant.now())));
    }

    @Override
    public byte[] sessionsChanged(Connection connection, Collection<SessionSnapshot> active) {
        ArrayNode sessions = Json.object().arrayNode();
        for (SessionSnapshot session : active) {
            if (connection.grants().maySubscribe(Channel.of(Namespace.WORKFLOW, session.sessionId()))) {
                sessions.addObject()
                    .put("session_id", session.sessionId())
                    .put("query", session.query())
                    .put("status", session.status())
                    .put("agents_active", session.agentsActive());
            }
        }
        ObjectNode data = Json.object().put("total_sessions", sessions.size());
        data.set("sessions", sessions);
        ObjectNode frame = Json.object().put("type", "active_sessions").put("timestamp", epochSeconds(Instant.now()));
        frame.set("data", data);
        return Json.toBytes(frame);
    }

    /** Seconds since the epoch with milliseconds, written as AgentCraft writes them: {@code 1642678200.123}. */
    static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }
}

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
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
import io.agentrelay.relay.dialect.EventFilter;
import io.agentrelay.relay.dialect.FrameRate;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.dialect.WsCloseCodes;

/**
 * AgentCraft, on {@code /ws/agent-tracking/{client_id}} (the protocol document's frames) and on
 * {@code /api/ws/agent-tracking/{client_id}} (the frames AgentCraft's own React app reads, {@link #forReactApp()}):
 * flat frames {@code {type, …}} in snake_case. A session is a unit of agent work (a workflow, however started) and
 * its agents are the workflow's steps; {@code agent_status}, {@code agent_collaboration} and {@code session_logs}
 * frames are the workflow's events seen that way.
 *
 * <p>Choices where the AgentCraft document is silent or loose, or where AgentCraft's own server
 * ({@code backend/websocket_api.py}) does otherwise; the server wins, so that its clients keep working:
 * <ul>
 *   <li>Any client id of 1 to 128 letters, digits, {@code .}, {@code _} and {@code -} is accepted, as AgentCraft's
 *       server accepts any: the document's examples ({@code client_${Date.now()}}, {@code test-client}) fail its
 *       own {@code client_<digits>_<random>} check, which the server never made. Others are closed with 1008.</li>
 *   <li>{@code active_sessions} lists the sessions the client's token may read, right after connecting and whenever
 *       sessions start, end or change their count of active agents. Every session that starts is listed at least
 *       once, however short, and a session's end is listed only after the client got the session's last agent
 *       frames.</li>
 *   <li>A client of {@code /ws/agent-tracking} receives agent frames for the sessions it follows: it follows one by
 *       asking for its state or logs, or by streaming its logs. (AgentCraft's server broadcast every agent to every
 *       client; a shared relay must not.) Each session also has a coordinator agent ({@code <session>/coordinator}):
 *       ANALYZING when the session starts, COLLABORATING with its progress as steps complete, then COMPLETED or
 *       ERROR.</li>
 *   <li>{@code start_log_streaming} turns on live {@code session_logs} frames, one per log line, follows the session
 *       and is answered {@code log_streaming_started}; {@code stop_log_streaming} turns them off for every session and
 *       is answered {@code log_streaming_stopped}, as AgentCraft's server answers.</li>
 *   <li>A session nobody knows is answered as AgentCraft's server answers: {@code session_not_found {session_id}} to
 *       {@code get_session_state}, {@code session_logs {session_id, logs: []}} to {@code get_session_logs}.</li>
 *   <li>Over the rate limit (60 messages a minute by default) the client gets an {@code error} frame with code
 *       {@code RATE_LIMITED} instead of silence; errors are {@code {type: "error", code, message, timestamp}}.</li>
 *   <li>The server pings after the configured silence; a client silent for three intervals is disconnected.</li>
 * </ul>
 */
public final class AgentCraftDialect implements Dialect {

    /** Safe characters, a sane length: AgentCraft's server takes any id, and ids appear in logs and stats. */
    static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final String LOG = "workflow.log";
    private static final String STOP_LOG_STREAMING = "stop_log_streaming";
    private static final Set<String> AGENT_EVENTS = Set.of("workflow.started", "workflow.stage_completed",
        "workflow.completed", "workflow.failed", "workflow.handoff", "node.started", "node.progress", "node.completed",
        "node.failed");
    private static final Set<String> APP_EVENTS = Stream.concat(AGENT_EVENTS.stream(),
        Stream.of(LOG, "workflow.cancelled")).collect(Collectors.toUnmodifiableSet());
    private static final List<String> TYPES = List.of("get_session_state", "get_session_logs", "start_log_streaming",
        "stop_log_streaming", "pong");

    private final SessionLists listed;
    private final Duration pingAfter;
    private final FrameRate rate;
    private final AgentCraftAppEvents appEvents;

    /**
     * @param listed        the active sessions a new connection is shown first
     * @param pingAfter     the silence after which the server pings
     * @param ratePerMinute messages a minute one client may send
     */
    public AgentCraftDialect(SessionLists listed, Duration pingAfter, int ratePerMinute) {
        this(listed, pingAfter, FrameRate.perMinute(ratePerMinute), null);
    }

    private AgentCraftDialect(SessionLists listed, Duration pingAfter, FrameRate rate,
                              AgentCraftAppEvents appEvents) {
        this.listed = listed;
        this.pingAfter = pingAfter;
        this.rate = rate;
        this.appEvents = appEvents;
    }

    /**
     * The same dialect as AgentCraft's React app ({@code MultiAgentDemo.js}, {@code AgentChat.js}) speaks it on
     * {@code /api/ws/agent-tracking/{client_id}}: the app never names a session, and reads the frames AgentCraft's
     * tracker broadcast ({@link AgentCraftAppEvents}). So a connection there follows every session its token may read
     * ({@code global}, as AgentCraft's server broadcast every session to every client), and gets log lines as
     * {@code crewai_log} from the start. A token that may not read {@code global} follows only the sessions it asks
     * about, as on {@code /ws/agent-tracking}.
     *
     * @return the dialect of the React app's endpoint
     */
    public AgentCraftDialect forReactApp() {
        return new AgentCraftDialect(listed, pingAfter, rate, new AgentCraftAppEvents());
    }

    @Override
    public String name() {
        // Its own name in metrics and logs: the two endpoints' clients are different programs.
        return reactApp() ? "agentcraft-app" : "agentcraft";
    }

    private boolean reactApp() {
        return appEvents != null;
    }

    /** On the app's endpoint with {@code global}, every session's events arrive already: nothing to follow. */
    private boolean followsGlobal(Connection connection) {
        return reactApp() && connection.grants().maySubscribe(Channel.GLOBAL);
    }

    @Override
    public Opening open(Connection connection, String nodeId) {
        if (!CLIENT_ID.matcher(connection.resource()).matches()) {
            return new Opening.Refuse(WsCloseCodes.POLICY_VIOLATION, "Invalid client ID");
        }
        byte[] welcome = sessionsChanged(connection, listed.first());
        if (followsGlobal(connection)) {
            return new Opening.Accept(welcome, List.of(new Request.Subscribe(UUID.randomUUID().toString(),
                Channel.GLOBAL, null)));
        }
        return Opening.welcome(welcome);
    }

    @Override
    public Request decode(String text, Connection connection) {
        ObjectNode frame = InvalidFrameException.parseObject(text, "Invalid message format");
        String id = UUID.randomUUID().toString();
        String type = frame.path("type").asText("");
        try {
            switch (type) {
                case "get_session_state":
                    return new Request.SendCommand(SessionQuery.id(type, sessionId(frame)),
                        new CommandPayload.GetSessionState(sessionId(frame)), !followsGlobal(connection));
                case "get_session_logs":
                    return new Request.SendCommand(SessionQuery.id(type, sessionId(frame)),
                        new CommandPayload.GetSessionLogs(sessionId(frame)), !followsGlobal(connection));
                case "start_log_streaming":
                    return new Request.Watch(id, type, Channel.of(Namespace.WORKFLOW, sessionId(frame)), Set.of(LOG));
                case STOP_LOG_STREAMING:
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
        ObjectNode frame = Json.object();
        if (request instanceof Request.Ping) {
            frame.put("type", "pong");
        } else if (request instanceof Request.Watch watch) {
            frame.put("type", "log_streaming_started").put("session_id", watch.channel().id())
                .put("message", "Log streaming enabled");
        } else if (request instanceof Request.FilterEvents filter && STOP_LOG_STREAMING.equals(filter.name())) {
            frame.put("type", "log_streaming_stopped").put("message", "Log streaming disabled");
        } else {
            return null;
        }
        return Json.toBytes(frame.put("timestamp", epochSeconds(Instant.now())));
    }

    @Override
    public byte[] reply(Event reply) {
        if (Event.ERROR.equals(reply.event())) {
            Optional<byte[]> unknownSession = SessionQuery.notFound(reply);
            if (unknownSession.isPresent()) {
                return unknownSession.get();
            }
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
        return reactApp() ? appEvents.live(event, position) : AgentCraftEvents.frame(event);
    }

    @Override
    public byte[] trailer(Event event) {
        return reactApp() ? AgentCraftAppEvents.trailer(event) : null;
    }

    @Override
    public byte[] replayed(Event event, Position position) {
        return reactApp() ? AgentCraftAppEvents.replayed(event) : AgentCraftEvents.frame(event);
    }

    @Override
    public byte[] replayCompleted(Request request, String channel, long count) {
        // AgentCraft clients cannot ask for replays.
        return null;
    }

    @Override
    public EventFilter initialFilter() {
        // AgentCraft's server streamed every log line to every client of the app's endpoint.
        return EventFilter.of(reactApp() ? APP_EVENTS : AGENT_EVENTS);
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
                    .put("status", session.status().wireName())
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

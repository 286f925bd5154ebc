package io.agentrelay.relay.dialect.nexus;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.Connection;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.EventFilter;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.dialect.WsCloseCodes;

/**
 * Nexus panels, on {@code /panels/{id}/ws}: frames {@code {type, …}} with upper-case types. The client of a panel
 * gets {@code CONNECTED {panelId, state}}, then every later change as {@code PATCH {mutations}} and every emitted
 * event as {@code EVENT {event}}; {@code TRIGGER {tool, args, requestId}} runs a tool on the panel's owning executor
 * and only the caller gets its {@code RESULT {requestId, result}}.
 *
 * <p>Choices where the Nexus document is silent:
 * <ul>
 *   <li>{@code CONNECTED} carries the panel's latest stored state, and the connection then resumes the panel's
 *       channel right after the last change that state includes: no change is missed or applied twice.</li>
 *   <li>Mutations are {@code {op: set|delete|append, path, value}}, with paths of object keys joined by dots.</li>
 *   <li>Errors the document does not name keep the relay's code ({@code FORBIDDEN}, {@code RATE_LIMITED},
 *       {@code UNAVAILABLE} …); a missing or mistyped field is a {@code PARSE_ERROR}, as in Nexus.</li>
 *   <li>A token that does not allow the panel's channel ({@code panel:<id>}) is refused at the upgrade with HTTP
 *       403 and no socket, as Nexus refuses a bad token (401): {@code NexusClient} counts an opened socket as
 *       connected and would retry a close after it five times.</li>
 *   <li>Nexus's own tokens ({@code {userId, email}}, no {@code sub}) name their subject by {@code userId}; they
 *       grant what their {@code channels} and {@code commands} claims say, so one without them is refused (403).</li>
 * </ul>
 */
public final class NexusDialect implements Dialect {

    private static final String PATCH = "panel.patch";
    private static final String EVENT = "panel.event";
    /** Sorted, so that errors list the topics in one order. */
    private static final Map<String, String> TOPICS = new TreeMap<>(Map.of("state", PATCH, "events", EVENT));
    private static final List<String> TYPES = List.of("TRIGGER", "SUBSCRIBE", "UNSUBSCRIBE", "PING");

    private final PanelStates panels;

    /**
     * @param panels the panels that exist, with their state and where their channels resume
     */
    public NexusDialect(PanelStates panels) {
        this.panels = panels;
    }

    @Override
    public String name() {
        return "nexus";
    }

    @Override
    public Optional<String> forbidden(Grants grants, String panelId) {
        return grants.maySubscribe(Channel.of(Namespace.PANEL, panelId)) ? Optional.empty()
            : Optional.of("your token does not allow panel " + panelId);
    }

    @Override
    public Opening open(Connection connection, String nodeId) {
        String panelId = connection.resource();
        Channel.Scoped channel = Channel.of(Namespace.PANEL, panelId);
        PanelStates.PanelState panel = panels.latest(panelId).orElse(null);
        if (panel == null) {
            return new Opening.Refuse(WsCloseCodes.POLICY_VIOLATION, "panel " + panelId + " does not exist");
        }
        ObjectNode connected = Json.object().put("type", "CONNECTED").put("panelId", panelId);
        connected.set("state", panel.state());
        return new Opening.Accept(Json.toBytes(connected),
            List.of(new Request.Subscribe(UUID.randomUUID().toString(), channel, panel.lastChange())));
    }

    @Override
    public Request decode(String text, Connection connection) {
        ObjectNode frame = InvalidFrameException.parseObject(text, "Invalid JSON");
        String requestId = frame.path("requestId").isTextual() ? frame.get("requestId").asText() : null;
        String id = requestId != null ? requestId : UUID.randomUUID().toString();
        String type = frame.path("type").asText("");
        switch (type) {
            case "TRIGGER":
                JsonNode tool = frame.get("tool");
                if (tool == null || !tool.isTextual() || tool.asText().isBlank()) {
                    throw new InvalidFrameException(ErrorCode.PARSE_ERROR, "TRIGGER needs a string 'tool'", requestId);
                }
                return new Request.SendCommand(id,
                    new CommandPayload.TriggerTool(connection.resource(), tool.asText(), frame.get("args")));
            case "SUBSCRIBE":
                return new Request.FilterEvents(id, type, topics(frame, requestId), Set.of());
            case "UNSUBSCRIBE":
                return new Request.FilterEvents(id, type, Set.of(), topics(frame, requestId));
            case "PING":
                return new Request.Ping(id);
            default:
                throw new InvalidFrameException(ErrorCode.UNKNOWN_REQUEST, "Unknown message type '"
                    + (type.length() > 64 ? type.substring(0, 64) : type) + "'; known: " + TYPES, requestId);
        }
    }

    private static Set<String> topics(ObjectNode frame, String requestId) {
        JsonNode topics = frame.get("topics");
        if (topics == null || !topics.isArray()) {
            throw new InvalidFrameException(ErrorCode.PARSE_ERROR, "'topics' must be an array of " + TOPICS.keySet(),
                requestId);
        }
        Set<String> events = new HashSet<>();
        for (JsonNode topic : topics) {
            String event = TOPICS.get(topic.asText());
            if (event == null) {
                throw new InvalidFrameException(ErrorCode.PARSE_ERROR, "unknown topic '" + topic.asText()
                    + "'; topics are " + TOPICS.keySet(), requestId);
            }
            events.add(event);
        }
        return events;
    }

    @Override
    public byte[] response(Request request, JsonNode data) {
        return request instanceof Request.Ping ? Json.toBytes(Json.object().put("type", "PONG")) : null;
    }

    @Override
    public byte[] reply(Event reply) {
        if (Event.ERROR.equals(reply.event())) {
            return error(reply.data().path("error_code").asText(ErrorCode.SERVER_ERROR.name()),
                reply.data().path("error_message").asText());
        }
        ObjectNode result = Json.object().put("type", "RESULT").put("requestId", reply.correlationId());
        result.set("result", reply.data().path("result"));
        return Json.toBytes(result);
    }

    @Override
    public byte[] error(ErrorCode code, String message, String correlationId) {
        return error(code.name(), message);
    }

    private static byte[] error(String code, String message) {
        String nexusCode = switch (code) {
            case "UNKNOWN_REQUEST" -> "UNKNOWN_MESSAGE";
            case "INVALID_REQUEST" -> "PARSE_ERROR";
            default -> code;
        };
        return Json.toBytes(Json.object().put("type", "ERROR").put("code", nexusCode).put("message", message));
    }

    @Override
    public byte[] event(Event event, Position position) {
        if (PATCH.equals(event.event())) {
            ObjectNode patch = Json.object().put("type", "PATCH");
            patch.set("mutations", event.data().path("mutations"));
            return Json.toBytes(patch);
        }
        if (EVENT.equals(event.event())) {
            ObjectNode emitted = Json.object().put("type", "EVENT");
            emitted.set("event", event.data().path("event"));
            return Json.toBytes(emitted);
        }
        return null;
    }

    @Override
    public byte[] replayed(Event event, Position position) {
        return event(event, position);
    }

    @Override
    public byte[] replayCompleted(Request request, String channel, long count) {
        // Nexus clients cannot ask for replays.
        return null;
    }

    @Override
    public EventFilter initialFilter() {
        return EventFilter.of(Set.of(PATCH, EVENT));
    }
}

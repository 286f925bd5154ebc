package io.agentrelay.relay.dialect.canonical;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.relay.dialect.Connection;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.dialect.ReplayBound;
import io.agentrelay.relay.dialect.Request;

/**
 * The canonical protocol, on {@code /ws} and {@code /}: Mahavishnu's envelope
 * ({@code {id, correlation_id, type, event, data, timestamp, room}}), with {@code pos} on events.
 *
 * <p>Choices where the Mahavishnu document is silent, made so that its clients keep working:
 * <ul>
 *   <li>{@code type} may be left out of requests; when present it must be {@code request}.</li>
 *   <li>A request without {@code id} is answered with its {@code correlation_id}, or else with an id the relay makes
 *       up, so that every response and error can be matched.</li>
 *   <li>{@code subscribe} takes an optional {@code since}: the {@code pos} of the last event the client has.</li>
 *   <li>{@code replay {channel, from, to?, speed?, events?, where?}} takes times relative to now ({@code -1h}),
 *       ISO-8601 times or {@code pos} strings for {@code from} and {@code to}, both inclusive; without {@code to} it
 *       stops at the end when the replay starts. {@code channel} may also be {@code <namespace>:*} or
 *       {@code global}; {@code events} (name patterns such as {@code workflow.fail*}) and {@code where}
 *       ({@code {"data.tool": "read_file"}}) keep only the events that match.</li>
 *   <li>{@code execute_workflow} without {@code workflow_id} gets one ({@code wf-<uuid>}), returned in the
 *       {@code accepted} response.</li>
 *   <li>{@code execute_workflow} naming a workflow that another request already ran is {@code accepted} (Kafka has
 *       it) and then refused by the executor: the requester alone gets {@code workflow.failed {workflow_id, error,
 *       refused: true, error_code, error_message}} with its request's {@code correlation_id}, the one shape every
 *       Mahavishnu client hears after a response; the workflow's subscribers get {@code workflow.refused}.</li>
 * </ul>
 */
public final class CanonicalDialect implements Dialect {

    private static final List<String> REQUESTS =
        List.of("subscribe", "unsubscribe", "execute_workflow", "cancel_workflow", "get_workflow_status",
            "get_pool_status", "list_tools", "replay",
            "ping");

    @Override
    public String name() {
        return "canonical";
    }

    @Override
    public Request decode(String text, Connection connection) {
        JsonNode root = InvalidFrameException.parseObject(text, "frame is not a JSON object");
        String id = requestId(root);
        try {
            return decode(root, id, connection);
        } catch (InvalidFrameException e) {
            throw e;
        } catch (RelayException e) {
            throw new InvalidFrameException(e.code(), e.getMessage(), id);
        }
    }

    private static Request decode(JsonNode root, String id, Connection connection) {
        JsonNode type = root.get("type");
        if (type != null && !Envelope.REQUEST.equals(type.asText())) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "clients send frames of type 'request', not '" + type.asText() + "'", id);
        }
        JsonNode name = root.get("event");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "missing field 'event': the request name", id);
        }
        JsonNode data = root.path("data");
        if (data.isMissingNode() || data.isNull()) {
            data = Json.object();
        } else if (!data.isObject()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'data' must be an object", id);
        }
        switch (name.asText()) {
            case "subscribe":
                return new Request.Subscribe(id, Channel.parse(text(data, "channel", id)), since(data));
            case "unsubscribe":
                return new Request.Unsubscribe(id, Channel.parse(text(data, "channel", id)));
            case "execute_workflow":
                return new Request.SendCommand(id, executeWorkflow(data, id, "wf-" + connection.commandId(id)));
            case "get_workflow_status":
                return new Request.SendCommand(id,
                    new CommandPayload.GetWorkflowStatus(
                        entityId(Namespace.WORKFLOW, text(data, "workflow_id", id), "workflow_id", id)));
            case "cancel_workflow":
                return new Request.SendCommand(id, new CommandPayload.CancelWorkflow(
                    entityId(Namespace.WORKFLOW, text(data, "workflow_id", id), "workflow_id", id)));
            case "get_pool_status":
                return new Request.SendCommand(id,
                    new CommandPayload.GetPoolStatus(entityId(Namespace.POOL, text(data, "pool_id", id), "pool_id", id)));
            case "list_tools":
                return new Request.SendCommand(id,
                    new CommandPayload.ListTools(entityId(Namespace.POOL, text(data, "pool_id", id), "pool_id", id)));
            case "replay":
                return replay(data, id);
            case "ping":
                return new Request.Ping(id);
            default:
                throw new InvalidFrameException(ErrorCode.UNKNOWN_REQUEST, "unknown request '"
                    + abbreviate(name.asText()) + "'; this endpoint knows " + REQUESTS, id);
        }
    }

    /**
     * Reads an {@code execute_workflow} request's data, also the body of {@code POST /api/workflows}.
     *
     * @param data      {@code {workflow_id?, nodes, edges?, adapter?, prompt?}}
     * @param id        the request's id, for errors
     * @param unnamedId the workflow's id when the data names none: from the command id, so that a retry names the
     *                  same workflow
     * @return the command
     * @throws RelayException with {@code INVALID_REQUEST} naming what is wrong
     */
    public static CommandPayload.ExecuteWorkflow executeWorkflow(JsonNode data, String id, String unnamedId) {
        JsonNode workflowId = data.get("workflow_id");
        String wfId = workflowId == null || workflowId.isNull()
            ? unnamedId
            : entityId(Namespace.WORKFLOW, workflowId.isTextual() ? workflowId.asText() : "", "workflow_id", id);
        JsonNode nodes = data.get("nodes");
        if (nodes == null || !nodes.isArray() || nodes.isEmpty()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "field 'nodes' must be a non-empty array of {id, tool, params}", id);
        }
        List<CommandPayload.Node> parsedNodes = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            if (!node.isObject() || !node.path("id").isTextual() || !node.path("tool").isTextual()) {
                throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                    "nodes[" + i + "] must be an object with string fields 'id' and 'tool'", id);
            }
            parsedNodes.add(new CommandPayload.Node(node.get("id").asText(), node.get("tool").asText(),
                node.get("params")));
        }
        JsonNode edges = data.path("edges");
        List<CommandPayload.Edge> parsedEdges = new ArrayList<>();
        if (!edges.isMissingNode() && !edges.isNull()) {
            if (!edges.isArray()) {
                throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'edges' must be an array", id);
            }
            for (int i = 0; i < edges.size(); i++) {
                JsonNode edge = edges.get(i);
                if (!edge.path("from").isTextual() || !edge.path("to").isTextual()) {
                    throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                        "edges[" + i + "] must be an object with string fields 'from' and 'to'", id);
                }
                parsedEdges.add(new CommandPayload.Edge(edge.get("from").asText(), edge.get("to").asText()));
            }
        }
        JsonNode deadline = data.get("deadline_ms");
        if (deadline != null && !deadline.isNull() && (!deadline.canConvertToLong() || deadline.asLong() <= 0)) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'deadline_ms' must be a positive integer",
                id);
        }
        return new CommandPayload.ExecuteWorkflow(wfId, parsedNodes, parsedEdges, optionalText(data, "adapter", id),
            optionalText(data, "prompt", id), deadline == null || deadline.isNull() ? null : deadline.asLong());
    }

    private static Request.Replay replay(JsonNode data, String id) {
        ReadScope scope = ReadScope.parse(text(data, "channel", id));
        ReplayBound from = ReplayBound.parse("from", text(data, "from", id));
        JsonNode to = data.get("to");
        ReplayBound until = to == null || to.isNull() ? null : ReplayBound.parse("to", to.asText());
        if (!(scope instanceof ReadScope.OneChannel)
            && (from instanceof ReplayBound.AtPosition || until instanceof ReplayBound.AtPosition)) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "a pos bounds the replay of one channel; replay " + scope.name() + " between times", id);
        }
        JsonNode speed = data.get("speed");
        double pace = speed == null || speed.isNull() ? 0 : speed.asDouble(-1);
        if (speed != null && !speed.isNull() && !speed.isNumber() || pace < 0 || pace > 1_000) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "field 'data.speed' must be a number from 0 (as fast as possible) to 1000", id);
        }
        return new Request.Replay(id, scope, from, until, pace, query(data, id));
    }

    /** A replay's optional filters: {@code events} (name patterns) and {@code where} ({@code data.<field>: value}). */
    private static EventQuery query(JsonNode data, String id) {
        JsonNode events = data.path("events");
        JsonNode where = data.path("where");
        if (!events.isMissingNode() && !events.isNull() && !events.isTextual() && !events.isArray()
            || !where.isMissingNode() && !where.isNull() && !where.isObject()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'data.events' must be a string or an "
                + "array of event name patterns, and 'data.where' an object of data fields and values", id);
        }
        List<String> patterns = new ArrayList<>();
        (events.isArray() ? events : Json.object().arrayNode().add(events.asText(""))).forEach(pattern ->
            patterns.add(pattern.asText()));
        List<String> conditions = new ArrayList<>();
        where.properties().forEach(field -> conditions.add(field.getKey() + "=" + field.getValue().asText()));
        try {
            return EventQuery.parse(patterns, conditions);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'data.where': " + e.getMessage(), id);
        }
    }

    private static Position since(JsonNode data) {
        JsonNode since = data.get("since");
        if (since == null || since.isNull()) {
            return null;
        }
        if (!since.isTextual()) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "field 'data.since' must be a pos string from an event");
        }
        return Position.decode(since.asText());
    }

    private static String entityId(Namespace namespace, String value, String field, String id) {
        try {
            return Channel.of(namespace, value).id();
        } catch (RelayException e) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "field '" + field + "' must be 1 to 128 characters of [A-Za-z0-9._-]", id);
        }
    }

    private static String text(JsonNode data, String field, String id) {
        JsonNode value = data.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "missing field 'data." + field + "'", id);
        }
        if (!value.isTextual()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'data." + field + "' must be a string", id);
        }
        return value.asText();
    }

    private static String optionalText(JsonNode data, String field, String id) {
        JsonNode value = data.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "field 'data." + field + "' must be a string", id);
        }
        return value.asText();
    }

    private static String requestId(JsonNode root) {
        for (String field : List.of("id", "correlation_id")) {
            JsonNode value = root.get(field);
            if (value != null && (value.isTextual() || value.isNumber()) && !value.asText().isEmpty()) {
                return abbreviate(value.asText());
            }
        }
        return UUID.randomUUID().toString();
    }

    /** Keeps what a client sent from making an error frame arbitrarily large. */
    private static String abbreviate(String value) {
        return value.length() <= 128 ? value : value.substring(0, 128);
    }

    @Override
    public Opening open(Connection connection, String nodeId) {
        String connectionId = connection.id();
        JsonNode data = Json.object()
            .put("connection_id", connectionId)
            .put("server", "agent-relay")
            .put("node", nodeId)
            .put("message", "Connected to Agent Relay");
        return Opening.welcome(Json.toBytes(new Envelope(UUID.randomUUID().toString(), null, Envelope.EVENT,
            "session.created", data, Instant.now(), Channel.of(Namespace.CONN, connectionId).name(), null, null, null,
            null)));
    }

    @Override
    public byte[] response(Request request, JsonNode data) {
        return Json.toBytes(new Envelope(UUID.randomUUID().toString(), request.id(), Envelope.RESPONSE, request.name(),
            data, Instant.now(), null, null, null, null, null));
    }

    @Override
    public byte[] reply(Event reply) {
        if (reply.isWorkflowRefusal()) {
            return refused(reply);
        }
        if (Event.ERROR.equals(reply.event())) {
            return error(errorCode(reply.data().path("error_code").asText()), reply.data().path("error_message").asText(),
                reply.correlationId());
        }
        return Json.toBytes(new Envelope(reply.id(), reply.correlationId(), Envelope.RESPONSE, reply.event(),
            reply.data(), reply.ts(), null, null, null, null, null));
    }

    /**
     * A request to run a taken workflow id, refused after its {@code accepted}: an error frame would reach no
     * Mahavishnu client then (mcp-common drops a correlation id it no longer waits for, and the examples only look at
     * events), so the requester alone gets the {@code workflow.failed} event its handlers know, with the reason as
     * {@code error}. The workflow's channel gets {@code workflow.refused} instead: its watchers must not be told that
     * the first run failed. Mahavishnu's dashboards key workflows by {@code workflow_id} and still mark the first run
     * failed on the requester's screen; {@code refused: true} tells the two apart.
     */
    private static byte[] refused(Event reply) {
        String workflowId = reply.data().path("workflow_id").asText();
        String reason = reply.data().path("error_message").asText();
        JsonNode data = Json.object().put("workflow_id", workflowId).put("error", reason).put("refused", true)
            .put("error_code", reply.data().path("error_code").asText()).put("error_message", reason);
        return Json.toBytes(new Envelope(reply.id(), reply.correlationId(), Envelope.EVENT, "workflow.failed", data,
            reply.ts(), Channel.of(Namespace.WORKFLOW, workflowId).name(), null, null, null, null));
    }

    private static ErrorCode errorCode(String name) {
        try {
            return ErrorCode.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ErrorCode.SERVER_ERROR;
        }
    }

    @Override
    public byte[] error(ErrorCode code, String message, String correlationId) {
        return Json.toBytes(new Envelope(UUID.randomUUID().toString(), correlationId, Envelope.ERROR, null, null,
            Instant.now(), null, null, code.name(), message, null));
    }

    @Override
    public byte[] event(Event event, Position position) {
        return Json.toBytes(Envelope.event(event, position, false));
    }

    @Override
    public byte[] replayed(Event event, Position position) {
        return Json.toBytes(Envelope.event(event, position, true));
    }

    @Override
    public byte[] replayCompleted(Request request, String channel, long count) {
        return Json.toBytes(new Envelope(UUID.randomUUID().toString(), request.id(), Envelope.EVENT, "replay.completed",
            Json.object().put("channel", channel).put("count", count), Instant.now(), channel, null, null, null,
            Boolean.TRUE));
    }
}

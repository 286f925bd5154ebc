package io.agentrelay.relay.dialect.praxis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.relay.dialect.Connection;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.EventFilter;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.dialect.WsCloseCodes;

/**
 * Praxis, on {@code /ws/events} and the legacy {@code /ws/workflow}: frames {@code {type, payload, id, timestamp,
 * correlation_id}}, commands in upper case, events by frontend name.
 *
 * <p>Choices where the Praxis documents are silent or loose, made so that its clients keep working:
 * <ul>
 *   <li>A client sees the events of the work it starts ({@code DSL_COMMAND}, {@code EXECUTE_WORKFLOW},
 *       {@code CHAT_MESSAGE}) without subscribing to channels, filtered by event type; the default filter adds
 *       workflow failures and chat answers to Praxis's own default, or a client could not see how its work ended.</li>
 *   <li>{@code PING}, {@code ping} and {@code heartbeat} are all answered with {@code PONG}; commands get no
 *       acknowledgement frame (Praxis sends none), only their events or an {@code error}.</li>
 *   <li>{@code error} frames carry the relay's error code in {@code payload.code} rather than Praxis's single
 *       {@code WEBSOCKET_ERROR}, and the failed request's id as {@code correlation_id}.</li>
 *   <li>The {@code token} query parameter carries the JWT, checked at the upgrade like on every endpoint.</li>
 * </ul>
 *
 * <p>Where the seed documents and Praxis's own server ({@code praxis-py-sdk}, {@code api/websocket.py}) or its
 * no-code builder disagree, the relay does what the server does, so that the builder works unchanged:
 * <ul>
 *   <li>The greeting is Praxis's {@code chatMessage {content, sender: "system", type: "system"}}, with the
 *       {@code connection_id} added.</li>
 *   <li>Only a client that has sent {@code PING} is closed (1008) when it sends none for three heartbeat intervals;
 *       the builder never pings (its {@code sendPing()} sends nothing) and stays connected, since dead connections
 *       are found with WebSocket ping frames instead.</li>
 *   <li>{@code EXECUTE_WORKFLOW} takes the builder's React Flow nodes {@code {id, type, data: {toolId, parameters}}}
 *       and edges {@code {source, target}}, and the DSL result's {@code {workflow: {id, nodes, edges}, workflowId}};
 *       an {@code agent} or {@code handoff} node runs as a step that only passes, as every node did on Praxis's
 *       server, but a {@code tool} node without {@code data.toolId}, and a workflow in which no node runs a tool, is
 *       refused with {@code INVALID_REQUEST}: it would report success having run nothing. {@code params},
 *       {@code secrets} and {@code metadata} are ignored.</li>
 *   <li>Node statuses are the builder's {@code running}, {@code success} and {@code error};
 *       {@code workflowError} carries its error as {@code message} too, which the builder shows.</li>
 *   <li>{@code dslResult} carries the compiled workflow in the builder's node shape as {@code workflow}, which the
 *       DSL result's Execute button sends back (without an id: the DSL command already ran under its own, and a
 *       workflow id runs once, so each Execute is a new run), and the relay's executors as the one
 *       {@code matchedAgents} entry. The builder draws its canvas not from the workflow but from
 *       {@code matchedAgents} and {@code requiredMCPTools}; {@code workflowSuggestion} (the same graph) only makes it
 *       draw. The relay sends no {@code requiredMCPTools}: the builder would draw one tool node running the first
 *       tool with the tool list as its parameters. So the drawn canvas holds agents only, and its Execute is
 *       refused (above) rather than report a success that ran none of the compiled tools.</li>
 * </ul>
 */
public final class PraxisDialect implements Dialect {

    private static final int MAX_ERRORS = 10;
    private static final List<String> COMMANDS = List.of("DSL_COMMAND", "EXECUTE_WORKFLOW", "CHAT_MESSAGE",
        "SUBSCRIBE_EVENTS", "UNSUBSCRIBE_EVENTS", "PING");

    private final Duration pingTimeout;

    /**
     * @param heartbeatInterval Praxis's heartbeat interval; a client that has sent {@code PING} and then sends none
     *                          for three of them is disconnected
     */
    public PraxisDialect(Duration heartbeatInterval) {
        this.pingTimeout = heartbeatInterval.multipliedBy(3);
    }

    @Override
    public String name() {
        return "praxis";
    }

    @Override
    public Request decode(String text, Connection connection) {
        String connectionId = connection.id();
        JsonNode root = InvalidFrameException.parseObject(text, "Invalid message format");
        String id = root.path("id").isTextual() ? root.get("id").asText() : UUID.randomUUID().toString();
        String type = root.path("type").asText("");
        JsonNode payload = root.path("payload").isObject() ? root.get("payload") : Json.object();
        try {
            switch (type) {
                case "DSL_COMMAND":
                    return new Request.SendCommand(id,
                        new CommandPayload.DslCommand("dsl-" + connection.commandId(id), text(payload, "command", id)),
                        true);
                case "EXECUTE_WORKFLOW":
                    return new Request.SendCommand(id, executeWorkflow(payload, id, "wf-" + connection.commandId(id)),
                        true);
                case "CHAT_MESSAGE":
                    return new Request.SendCommand(id,
                        new CommandPayload.ChatMessage(connectionId, text(payload, "content", id)), true);
                case "SUBSCRIBE_EVENTS":
                    return new Request.FilterEvents(id, type, eventTypes(payload, id), Set.of());
                case "UNSUBSCRIBE_EVENTS":
                    return new Request.FilterEvents(id, type, Set.of(), eventTypes(payload, id));
                case "PING":
                case "ping":
                case "heartbeat":
                    return new Request.Ping(id);
                default:
                    throw new InvalidFrameException(ErrorCode.UNKNOWN_REQUEST, "Unknown message type '"
                        + (type.length() > 64 ? type.substring(0, 64) : type) + "'; known: " + COMMANDS, id);
            }
        } catch (InvalidFrameException e) {
            throw e;
        } catch (RelayException e) {
            throw new InvalidFrameException(e.code(), e.getMessage(), id);
        }
    }

    /**
     * Reads an {@code EXECUTE_WORKFLOW} payload as Praxis's server does: {@code {workflowId, nodes, edges}}, or the
     * DSL result's {@code {workflow: {id, nodes, edges}, workflowId}}, whose {@code workflow} wins. {@code unnamedId}
     * names a workflow the payload names not: from the command id, so a retry names the same.
     */
    private static CommandPayload.ExecuteWorkflow executeWorkflow(JsonNode payload, String id, String unnamedId) {
        JsonNode workflow = payload.path("workflow").isObject() ? payload.get("workflow") : payload;
        String workflowId = workflow.path("id").isTextual() ? workflow.get("id").asText()
            : payload.path("workflowId").isTextual() ? payload.get("workflowId").asText() : unnamedId;
        try {
            Channel.of(Namespace.WORKFLOW, workflowId);
        } catch (RelayException e) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                "workflowId must be 1 to 128 characters of [A-Za-z0-9._-]", id);
        }
        JsonNode nodes = workflow.path("nodes");
        if (!nodes.isArray() || nodes.isEmpty()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, (workflow == payload ? "payload.nodes"
                : "payload.workflow.nodes") + " must be a non-empty array", id);
        }
        List<CommandPayload.Node> parsed = new ArrayList<>();
        boolean runsATool = false;
        for (JsonNode node : nodes) {
            parsed.add(BuilderNodes.step(node, id).orElseThrow(() -> new InvalidFrameException(
                ErrorCode.INVALID_REQUEST, "every node needs string fields 'id' and 'tool', or is a builder node "
                + "{id, type, data: {toolId, parameters}}", id)));
            runsATool |= !BuilderNodes.passesThrough(node);
        }
        if (!runsATool) {
            // The canvas the builder draws from a DSL result is such a one (agents only): it would report success
            // having run nothing. The DSL command itself already ran the compiled workflow.
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "no node runs a tool (agent and handoff "
                + "nodes only pass): add a tool node, or run the DSL result's workflow with its Execute button", id);
        }
        List<CommandPayload.Edge> edges = new ArrayList<>();
        for (JsonNode edge : workflow.path("edges")) {
            String from = edge.path("from").asText(edge.path("source").asText(null));
            String to = edge.path("to").asText(edge.path("target").asText(null));
            if (from == null || to == null) {
                throw new InvalidFrameException(ErrorCode.INVALID_REQUEST,
                    "every edge needs 'from' and 'to' (or 'source' and 'target')", id);
            }
            edges.add(new CommandPayload.Edge(from, to));
        }
        return new CommandPayload.ExecuteWorkflow(workflowId, parsed, edges);
    }

    private static Set<String> eventTypes(JsonNode payload, String id) {
        JsonNode types = payload.path("event_types");
        if (!types.isArray()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "payload.event_types must be an array", id);
        }
        Set<String> canonical = new HashSet<>();
        for (JsonNode type : types) {
            canonical.addAll(PraxisEventTypes.canonical(type.asText()));
        }
        return canonical;
    }

    private static String text(JsonNode payload, String field, String id) {
        JsonNode value = payload.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new InvalidFrameException(ErrorCode.INVALID_REQUEST, "payload." + field + " must be a non-empty string",
                id);
        }
        return value.asText();
    }

    @Override
    public Opening open(Connection connection, String nodeId) {
        // Praxis greets with a system chat message, which its chat panel shows.
        return Opening.welcome(frame("chatMessage", Json.object().put("content", "Connected to Agent Relay")
            .put("sender", "system").put("type", "system").put("connection_id", connection.id()).put("node", nodeId),
            UUID.randomUUID().toString(), Instant.now(), null));
    }

    @Override
    public byte[] response(Request request, JsonNode data) {
        if (request instanceof Request.Ping) {
            return frame("PONG", Json.object().put("timestamp", Instant.now().toString()),
                UUID.randomUUID().toString(), Instant.now(), request.id());
        }
        return null;
    }

    @Override
    public byte[] reply(Event reply) {
        if (Event.ERROR.equals(reply.event())) {
            return frame("error", errorPayload(reply.data().path("error_code").asText("SERVER_ERROR"),
                reply.data().path("error_message").asText()), reply.id(), reply.ts(), reply.correlationId());
        }
        return PraxisEvents.frame(reply, null);
    }

    @Override
    public byte[] error(ErrorCode code, String message, String correlationId) {
        return frame("error", errorPayload(code.name(), message), UUID.randomUUID().toString(), Instant.now(),
            correlationId);
    }

    @Override
    public byte[] event(Event event, Position position) {
        return PraxisEvents.frame(event, position);
    }

    @Override
    public byte[] replayed(Event event, Position position) {
        return PraxisEvents.frame(event, position);
    }

    @Override
    public byte[] replayCompleted(Request request, String channel, long count) {
        return frame("eventStream", Json.object().put("event", "replay.completed").put("channel", channel)
            .put("count", count), UUID.randomUUID().toString(), Instant.now(), request.id());
    }

    @Override
    public EventFilter initialFilter() {
        return EventFilter.of(PraxisEventTypes.DEFAULT);
    }

    @Override
    public int refusalCloseCode() {
        return WsCloseCodes.POLICY_VIOLATION;
    }

    @Override
    public int maxErrors() {
        return MAX_ERRORS;
    }

    @Override
    public Duration pingTimeout() {
        return pingTimeout;
    }

    private static ObjectNode errorPayload(String code, String message) {
        return Json.object().put("message", message).put("code", code).put("timestamp", Instant.now().toString());
    }

    static byte[] frame(String type, JsonNode payload, String id, Instant timestamp, String correlationId) {
        return Json.toBytes(new PraxisFrame(type, payload, id, timestamp, correlationId));
    }
}

package io.agentrelay.relay.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.protocol.PanelDefinition;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.inbound.CommandGateway;
import io.agentrelay.relay.kafka.CommandTooLargeException;
import io.agentrelay.relay.state.EntityDirectory;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP API for backends that do not hold a socket: {@code POST /api/sessions {query}},
 * {@code POST /api/workflows {nodes, edges, …}} and {@code POST /api/panels {id, state, tools}}. Each takes the
 * sockets' command path ({@link CommandGateway}: the same authorization, idempotency keys and traces) and answers once
 * Kafka accepted the command: {@code 202} with the new entity's id, or an error body {@code {error_code,
 * error_message}} (400, 403, 409, 413, 503). A panel is answered {@code 201} once it exists, so a client may connect
 * to it right away.
 */
public final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration PANEL_WAIT = Duration.ofSeconds(10);
    private static final HttpString IDEMPOTENCY_KEY = HttpString.tryFromString("Idempotency-Key");
    private static final int MAX_REQUEST_ID = 128;
    /** How much of a refused body is still read (and dropped) before the connection is closed instead. */
    private static final long DISCARD_LIMIT = 8 * 1024 * 1024;

    private final CommandGateway commands;
    private final EntityDirectory directory;
    private final long maxBodyBytes;

    /**
     * @param commands     the path of commands to Kafka, shared with the sockets
     * @param directory    the panels that exist
     * @param maxBodyBytes the largest request body
     */
    public HttpApi(CommandGateway commands, EntityDirectory directory, long maxBodyBytes) {
        this.commands = commands;
        this.directory = directory;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** {@code POST /api/sessions {query, session_id?}}: starts a session of agent work from a question. */
    public HttpHandler sessions() {
        return post((body, request) -> {
            String query = body.path("query").asText("");
            if (query.isBlank()) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "'query' must be a non-empty string");
            }
            String sessionId = entityId(body, "session_id", "session-" + request.commandId());
            return request.send(new CommandPayload.StartSession(sessionId, query))
                .thenApply(accepted -> Answer.accepted(accepted.put("session_id", sessionId)));
        });
    }

    /** {@code POST /api/workflows}: the data of an {@code execute_workflow} request. */
    public HttpHandler workflows() {
        return post((body, request) -> {
            CommandPayload.ExecuteWorkflow workflow = CanonicalDialect.executeWorkflow(body, request.requestId(),
                "wf-" + request.commandId());
            return request.send(workflow)
                .thenApply(Answer::accepted);
        });
    }

    /** {@code POST /api/panels {id, state, tools}}: creates a panel. */
    public HttpHandler panels() {
        return post((body, request) -> {
            PanelDefinition panel;
            try {
                panel = Json.readerFor(PanelDefinition.class).readValue(body);
            } catch (IOException e) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "not a panel definition: "
                    + (e.getCause() instanceof RelayException cause ? cause.getMessage() : e.getMessage()));
            }
            // Authorized before the existence check, so that a token learns nothing of panels it may not see.
            Command command = request.authorize(new CommandPayload.CreatePanel(panel));
            if (directory.panel(panel.id()).isPresent()) {
                throw new HttpError(StatusCodes.CONFLICT, ErrorCode.INVALID_REQUEST,
                    "panel '" + panel.id() + "' exists");
            }
            return request.publish(command)
                .thenCompose(accepted -> directory.whenPanelExists(panel.id())
                    .orTimeout(PANEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(created -> {
                        ObjectNode answer = accepted.deepCopy().put("status", "created").put("panel_id", panel.id());
                        answer.set("state", created.state());
                        return new Answer(StatusCodes.CREATED, answer);
                    })
                    // Not there yet (no executor running?): Kafka has the command, which is what 202 says.
                    .exceptionally(slow -> Answer.accepted(accepted.put("panel_id", panel.id()))));
        });
    }

    private interface Action {
        CompletableFuture<Answer> apply(ObjectNode body, CommandRequest request);
    }

    /**
     * One HTTP request's command, on the sockets' path: the same grants, an idempotency key from the client's
     * request id, and a trace continued from the {@code traceparent} header.
     */
    private final class CommandRequest {
        private final Grants grants;
        private final String requestId;
        private final UUID commandId;
        private final Traceparent trace;

        CommandRequest(Grants grants, String remoteAddress, String requestId, Traceparent trace) {
            this.grants = grants;
            this.requestId = requestId;
            // Keys of their own: an HTTP key never names a socket's request of the same subject, and anonymous callers
            // are told apart by their address, so that two of them choosing the same key are two commands.
            this.commandId = grants.commandId("http:" + remoteAddress, "http:" + requestId);
            this.trace = trace;
        }

        UUID commandId() {
            return commandId;
        }

        String requestId() {
            return requestId;
        }

        Command authorize(CommandPayload payload) {
            // Answers to HTTP commands have nobody to go to: a private channel that no socket reads.
            return commands.authorize(grants, commandId, requestId, payload,
                Channel.of(Namespace.CONN, "http-" + commandId));
        }

        /** Authorizes and publishes; completes with the {@code accepted} body once Kafka took the command. */
        CompletableFuture<ObjectNode> send(CommandPayload payload) {
            return publish(authorize(payload));
        }

        /** Completes with the {@code accepted} body once Kafka took the command. */
        CompletableFuture<ObjectNode> publish(Command command) {
            return commands.publish(command, trace).thenApply(metadata -> CommandGateway.accepted(command, trace));
        }
    }

    private record Answer(int status, ObjectNode body) {
        static Answer accepted(ObjectNode body) {
            return new Answer(StatusCodes.ACCEPTED, body);
        }
    }

    private HttpHandler post(Action action) {
        return exchange -> {
            if (!Methods.POST.equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
                send(exchange, StatusCodes.METHOD_NOT_ALLOWED, error(ErrorCode.INVALID_REQUEST, "use POST"));
                return;
            }
            String overLimit = "the body is larger than " + maxBodyBytes + " bytes";
            if (exchange.getRequestContentLength() > DISCARD_LIMIT) {
                tooLarge(exchange, overLimit);
                return;
            }
            // Counted as it arrives: a chunked body has no length to check up front, and Undertow's own limits only
            // look at the Content-Length. Past the limit the rest is read and dropped, up to DISCARD_LIMIT, so that
            // the client, still sending, reads its 413 rather than a connection reset by a close with unread data.
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long[] received = {0};
            exchange.getRequestReceiver().receivePartialBytes((reading, chunk, last) -> {
                if (reading.isResponseStarted()) {
                    return;
                }
                received[0] += chunk.length;
                if (received[0] > DISCARD_LIMIT) {
                    tooLarge(reading, overLimit);
                    return;
                }
                if (received[0] <= maxBodyBytes) {
                    body.writeBytes(chunk);
                }
                if (!last) {
                    return;
                }
                if (received[0] > maxBodyBytes) {
                    send(reading, StatusCodes.REQUEST_ENTITY_TOO_LARGE, error(ErrorCode.INVALID_REQUEST, overLimit));
                } else {
                    reading.dispatch(SameThreadExecutor.INSTANCE, () -> run(reading, body.toByteArray(), action));
                }
            }, (reading, failure) -> send(reading, StatusCodes.BAD_REQUEST,
                error(ErrorCode.INVALID_REQUEST, "cannot read the body: " + failure.getMessage())));
        };
    }

    private void run(HttpServerExchange exchange, byte[] bytes, Action action) {
        CompletableFuture<Answer> answer;
        try {
            JsonNode body = Json.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new RelayException(ErrorCode.PARSE_ERROR, "the body must be a JSON object");
            }
            answer = action.apply((ObjectNode) body, commandRequest(exchange, body));
        } catch (IOException e) {
            answer = CompletableFuture.failedFuture(new RelayException(ErrorCode.PARSE_ERROR,
                "the body is not JSON: " + e.getMessage()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((success, failure) -> {
            if (failure == null) {
                send(exchange, success.status(), success.body());
                return;
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof HttpError http) {
                send(exchange, http.status, error(http.code(), http.getMessage()));
            } else if (cause instanceof CommandTooLargeException tooLarge) {
                tooLarge(exchange, tooLarge.getMessage());
            } else if (cause instanceof RelayException relay) {
                send(exchange, status(relay.code()), error(relay.code(), relay.getMessage()));
            } else {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), cause);
                send(exchange, StatusCodes.INTERNAL_SERVER_ERROR,
                    error(ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.defaultMessage()));
            }
        });
    }

    /**
     * The client's request id, from the {@code Idempotency-Key} header or the body's {@code request_id}: a POST sent
     * again with the same one is the same command. Without one, every POST is a command of its own.
     */
    private CommandRequest commandRequest(HttpServerExchange exchange, JsonNode body) {
        Grants grants = exchange.getAttachment(AuthHandler.GRANTS);
        String requestId = exchange.getRequestHeaders().getFirst(IDEMPOTENCY_KEY);
        if (requestId == null && body.path("request_id").isTextual()) {
            requestId = body.get("request_id").asText();
        }
        if (requestId == null) {
            requestId = UUID.randomUUID().toString();
        } else if (requestId.isBlank() || requestId.length() > MAX_REQUEST_ID) {
            throw new RelayException(ErrorCode.INVALID_REQUEST,
                "the Idempotency-Key or request_id must be 1 to " + MAX_REQUEST_ID + " characters");
        }
        Traceparent trace = Traceparent.parse(exchange.getRequestHeaders().getFirst(Traceparent.HEADER))
            .map(Traceparent::child).orElseGet(Traceparent::newTrace);
        exchange.getResponseHeaders().put(HttpString.tryFromString(Traceparent.HEADER), trace.encode());
        return new CommandRequest(grants == null ? Grants.unrestricted() : grants,
            exchange.getSourceAddress().getAddress().getHostAddress(), requestId, trace);
    }

    private static String entityId(JsonNode body, String field, String fallback) {
        JsonNode given = body.get(field);
        if (given == null || given.isNull()) {
            return fallback;
        }
        String id = given.asText();
        Channel.of(Namespace.WORKFLOW, id);
        return id;
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case FORBIDDEN -> StatusCodes.FORBIDDEN;
            case UNAUTHORIZED -> StatusCodes.UNAUTHORIZED;
            case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
            case RATE_LIMITED -> StatusCodes.TOO_MANY_REQUESTS;
            case SERVER_ERROR -> StatusCodes.INTERNAL_SERVER_ERROR;
            default -> StatusCodes.BAD_REQUEST;
        };
    }

    private static ObjectNode error(ErrorCode code, String message) {
        return Json.object().put("error_code", code.name()).put("error_message", message);
    }

    private static void tooLarge(HttpServerExchange exchange, String message) {
        // The rest of the body is not read: the connection closes after the answer.
        exchange.setPersistent(false);
        send(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, error(ErrorCode.INVALID_REQUEST, message));
    }

    private static void send(HttpServerExchange exchange, int status, ObjectNode body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(Json.toText(body));
    }

    /** A failure with its own HTTP status. */
    private static final class HttpError extends RelayException {
        private final int status;

        HttpError(int status, ErrorCode code, String message) {
            super(code, message);
            this.status = status;
        }
    }
}

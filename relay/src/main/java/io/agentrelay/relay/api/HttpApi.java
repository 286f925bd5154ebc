package io.agentrelay.relay.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.PanelDefinition;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.kafka.CommandPublisher;
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
 * {@code POST /api/workflows {nodes, edges, …}} and {@code POST /api/panels {id, state, tools}}. Each publishes the
 * same command a socket would and answers once Kafka accepted it: {@code 202} with the new entity's id, or an error
 * body {@code {error_code, error_message}} (400, 403, 409, 413, 503). A panel is answered {@code 201} once it exists,
 * so a client may connect to it right away.
 */
public final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration PANEL_WAIT = Duration.ofSeconds(10);

    private final CommandPublisher publisher;
    private final EntityDirectory directory;
    private final long maxBodyBytes;

    /**
     * @param publisher    commands
     * @param directory    the panels that exist
     * @param maxBodyBytes the largest request body
     */
    public HttpApi(CommandPublisher publisher, EntityDirectory directory, long maxBodyBytes) {
        this.publisher = publisher;
        this.directory = directory;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** {@code POST /api/sessions {query, session_id?}}: starts a session of agent work from a question. */
    public HttpHandler sessions() {
        return post((body, exchange) -> {
            String query = body.path("query").asText("");
            if (query.isBlank()) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "'query' must be a non-empty string");
            }
            String sessionId = entityId(body, "session_id", "session-");
            return publish(exchange, new CommandPayload.StartSession(sessionId, query))
                .thenApply(command -> Answer.accepted(accepted(command).put("session_id", sessionId)));
        });
    }

    /** {@code POST /api/workflows}: the data of an {@code execute_workflow} request. */
    public HttpHandler workflows() {
        return post((body, exchange) -> {
            CommandPayload.ExecuteWorkflow workflow = CanonicalDialect.executeWorkflow(body, null);
            return publish(exchange, workflow)
                .thenApply(command -> Answer.accepted(accepted(command).put("workflow_id", workflow.workflowId())));
        });
    }

    /** {@code POST /api/panels {id, state, tools}}: creates a panel. */
    public HttpHandler panels() {
        return post((body, exchange) -> {
            PanelDefinition panel;
            try {
                panel = Json.readerFor(PanelDefinition.class).readValue(body);
            } catch (IOException e) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "not a panel definition: "
                    + (e.getCause() instanceof RelayException cause ? cause.getMessage() : e.getMessage()));
            }
            if (directory.panel(panel.id()).isPresent()) {
                throw new HttpError(StatusCodes.CONFLICT, ErrorCode.INVALID_REQUEST,
                    "panel '" + panel.id() + "' exists");
            }
            return publish(exchange, new CommandPayload.CreatePanel(panel))
                .thenCompose(command -> directory.whenPanelExists(panel.id())
                    .orTimeout(PANEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(created -> {
                        ObjectNode answer = accepted(command).put("status", "created").put("panel_id", panel.id());
                        answer.set("state", created.state());
                        return new Answer(StatusCodes.CREATED, answer);
                    })
                    // Not there yet (no executor running?): Kafka has the command, which is what 202 says.
                    .exceptionally(slow -> Answer.accepted(accepted(command).put("panel_id", panel.id()))));
        });
    }

    private interface Action {
        CompletableFuture<Answer> apply(JsonNode body, HttpServerExchange exchange);
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
            long length = exchange.getRequestContentLength();
            if (length > maxBodyBytes) {
                send(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE,
                    error(ErrorCode.INVALID_REQUEST, "the body is larger than " + maxBodyBytes + " bytes"));
                return;
            }
            exchange.setMaxEntitySize(maxBodyBytes);
            exchange.getRequestReceiver().receiveFullBytes(
                (received, bytes) -> received.dispatch(SameThreadExecutor.INSTANCE, () -> run(received, bytes, action)),
                (received, failure) -> send(received, StatusCodes.BAD_REQUEST,
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
            answer = action.apply(body, exchange);
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
            } else if (cause instanceof RelayException relay) {
                send(exchange, status(relay.code()), error(relay.code(), relay.getMessage()));
            } else {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), cause);
                send(exchange, StatusCodes.INTERNAL_SERVER_ERROR,
                    error(ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.defaultMessage()));
            }
        });
    }

    private CompletableFuture<Command> publish(HttpServerExchange exchange, CommandPayload payload) {
        Grants grants = exchange.getAttachment(AuthHandler.GRANTS);
        if (grants == null) {
            grants = Grants.unrestricted();
        }
        if (!grants.mayCommand(payload.kind())) {
            LOG.info("Refused {} the command {} over HTTP", grants.subject(), payload.kind());
            throw new RelayException(ErrorCode.FORBIDDEN, "your token does not allow the command " + payload.kind());
        }
        // Answers to HTTP commands have nobody to go to: a private channel that no socket reads.
        Channel.Scoped nobody = Channel.of(Namespace.CONN, "http-" + UUID.randomUUID());
        String requestId = UUID.randomUUID().toString();
        Command command = new Command(UUID.randomUUID(), requestId, payload.target(), nobody,
            new Principal(grants.subject(), Map.of()), payload, Instant.now());
        Traceparent trace = Traceparent.parse(exchange.getRequestHeaders().getFirst(Traceparent.HEADER))
            .map(Traceparent::child).orElseGet(Traceparent::newTrace);
        exchange.getResponseHeaders().put(HttpString.tryFromString(Traceparent.HEADER), trace.encode());
        return publisher.publish(command, trace).thenApply(metadata -> command);
    }

    private static String entityId(JsonNode body, String field, String prefix) {
        JsonNode given = body.get(field);
        if (given == null || given.isNull()) {
            return prefix + UUID.randomUUID();
        }
        String id = given.asText();
        Channel.of(Namespace.WORKFLOW, id);
        return id;
    }

    private static ObjectNode accepted(Command command) {
        return Json.object().put("status", "accepted").put("command_id", command.id().toString());
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

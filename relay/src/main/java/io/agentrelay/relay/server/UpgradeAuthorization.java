package io.agentrelay.relay.server;

import java.util.Optional;

import io.agentrelay.common.json.Json;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.Dialect;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a WebSocket upgrade with HTTP 403 when the client's token may not open what the path names
 * ({@link Dialect#forbidden}), so that the client gets no socket rather than one that opens and closes at once.
 * Runs after {@link AuthHandler}, on the I/O thread.
 */
final class UpgradeAuthorization implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeAuthorization.class);

    private final Dialect dialect;
    private final HttpHandler next;

    /**
     * @param dialect the endpoint's dialect
     * @param next    the WebSocket handshake
     */
    UpgradeAuthorization(Dialect dialect, HttpHandler next) {
        this.dialect = dialect;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Grants attached = exchange.getAttachment(AuthHandler.GRANTS);
        Grants grants = attached == null ? Grants.unrestricted() : attached;
        Optional<String> forbidden = dialect.forbidden(grants, exchange.getAttachment(ResourcePath.RESOURCE));
        if (forbidden.isEmpty()) {
            next.handleRequest(exchange);
            return;
        }
        LOG.info("Refused a {} connection from {}: {}", dialect.name(), exchange.getSourceAddress(), forbidden.get());
        exchange.setStatusCode(StatusCodes.FORBIDDEN);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(Json.toText(Json.object().put("error_code", "FORBIDDEN")
            .put("error_message", forbidden.get())));
    }
}

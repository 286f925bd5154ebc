package io.agentrelay.relay.server;

import java.util.Optional;
import java.util.function.Function;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.auth.UpgradeRefusal;
import io.agentrelay.relay.dialect.Dialect;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a WebSocket upgrade with HTTP 403 when the client's token may not open what the path names
 * ({@link Dialect#forbidden}), so that the client gets no socket rather than one that opens and closes at once; then
 * with 404 when the resource the path names does not exist. The existence check comes last so that a client without
 * a valid token learns nothing about which ids exist. Runs after {@link AuthHandler}, on the I/O thread.
 */
final class UpgradeAuthorization implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeAuthorization.class);

    private final Dialect dialect;
    private final Function<String, String> missing;
    private final HttpHandler next;

    /**
     * @param dialect the endpoint's dialect
     * @param missing says why the path's resource id ({@link ResourcePath#RESOURCE}) names nothing, or returns null
     *                when it exists; only called with an id
     * @param next    the WebSocket handshake
     */
    UpgradeAuthorization(Dialect dialect, Function<String, String> missing, HttpHandler next) {
        this.dialect = dialect;
        this.missing = missing;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Grants grants = exchange.getAttachment(AuthHandler.GRANTS);
        if (grants == null) {
            // Only a handler chain without AuthHandler gets here: refuse rather than let the client in unchecked.
            UpgradeRefusal.send(exchange, StatusCodes.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, "no token was checked");
            return;
        }
        String resource = exchange.getAttachment(ResourcePath.RESOURCE);
        Optional<String> forbidden = dialect.forbidden(grants, resource);
        if (forbidden.isPresent()) {
            LOG.info("Refused a {} connection from {}: {}", dialect.name(), exchange.getSourceAddress(),
                forbidden.get());
            UpgradeRefusal.send(exchange, StatusCodes.FORBIDDEN, ErrorCode.FORBIDDEN, forbidden.get());
            return;
        }
        String why = resource == null ? null : missing.apply(resource);
        if (why != null) {
            UpgradeRefusal.send(exchange, StatusCodes.NOT_FOUND, ErrorCode.NOT_FOUND, why);
            return;
        }
        next.handleRequest(exchange);
    }
}

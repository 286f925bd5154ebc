package io.agentrelay.relay.auth;

import java.util.Deque;

import io.agentrelay.common.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the token of a WebSocket upgrade before the socket opens: from the {@code token} query parameter or an
 * {@code Authorization: Bearer} header. A missing or invalid token gets HTTP 401 and no socket; a valid one's
 * {@link Grants} ride on the exchange to the endpoint. With authentication off, every client gets
 * {@link Grants#unrestricted()}.
 */
public final class AuthHandler implements HttpHandler {

    /** Where the endpoint finds the connection's grants. */
    public static final AttachmentKey<Grants> GRANTS = AttachmentKey.create(Grants.class);
    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    private static final String BEARER = "Bearer ";

    private final TokenVerifier verifier;
    private final HttpHandler next;

    /**
     * @param verifier checks tokens, or null when authentication is off
     * @param next     the WebSocket handshake
     */
    public AuthHandler(TokenVerifier verifier, HttpHandler next) {
        this.verifier = verifier;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (verifier == null) {
            exchange.putAttachment(GRANTS, Grants.unrestricted());
            next.handleRequest(exchange);
            return;
        }
        String token = token(exchange);
        if (token == null) {
            refuse(exchange, "a token is required: ?token=… or Authorization: Bearer …");
            return;
        }
        try {
            exchange.putAttachment(GRANTS, verifier.verify(token));
        } catch (AuthException e) {
            LOG.info("Refused a connection from {}: {}", exchange.getSourceAddress(), e.getMessage());
            refuse(exchange, e.getMessage());
            return;
        }
        next.handleRequest(exchange);
    }

    private static String token(HttpServerExchange exchange) {
        Deque<String> query = exchange.getQueryParameters().get("token");
        if (query != null && !query.isEmpty() && !query.getFirst().isBlank()) {
            return query.getFirst();
        }
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        return header != null && header.startsWith(BEARER) ? header.substring(BEARER.length()).trim() : null;
    }

    private static void refuse(HttpServerExchange exchange, String reason) {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
        UpgradeRefusal.send(exchange, StatusCodes.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, reason);
    }
}

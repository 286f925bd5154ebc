package io.agentrelay.relay.server;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.relay.auth.UpgradeRefusal;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.StatusCodes;

/**
 * The endpoints whose path names a resource, {@code /panels/{id}/ws} and {@code /ws/agent-tracking/{client_id}}:
 * mounted on a prefix, it takes the id from the rest of the path and hands it on. A path of another shape gets HTTP
 * 404 and no socket; whether the id names something is checked after the token ({@link UpgradeAuthorization}), so
 * that ids cannot be probed without one.
 */
final class ResourcePath implements HttpHandler {

    /** Where the WebSocket endpoint finds the id. */
    static final AttachmentKey<String> RESOURCE = AttachmentKey.create(String.class);

    private final String suffix;
    private final HttpHandler next;

    /**
     * @param suffix what follows the id in the path ({@code /ws}), or empty
     * @param next   the rest of the upgrade
     */
    ResourcePath(String suffix, HttpHandler next) {
        this.suffix = suffix;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String rest = exchange.getRelativePath();
        String id = rest.startsWith("/") && rest.endsWith(suffix) && rest.length() > suffix.length() + 1
            ? rest.substring(1, rest.length() - suffix.length()) : null;
        if (id == null || id.contains("/")) {
            UpgradeRefusal.send(exchange, StatusCodes.NOT_FOUND, ErrorCode.NOT_FOUND, "no such endpoint");
            return;
        }
        exchange.putAttachment(RESOURCE, id);
        next.handleRequest(exchange);
    }
}

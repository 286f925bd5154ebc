package io.agentrelay.relay.server;

import java.util.function.Function;

import io.agentrelay.common.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

/**
 * The endpoints whose path names a resource, {@code /panels/{id}/ws} and {@code /ws/agent-tracking/{client_id}}:
 * mounted on a prefix, it takes the id from the rest of the path and hands it to the WebSocket endpoint. A path of
 * another shape, or an id the resource check refuses, gets HTTP 404 and no socket.
 */
final class ResourcePath implements HttpHandler {

    /** Where the WebSocket endpoint finds the id. */
    static final AttachmentKey<String> RESOURCE = AttachmentKey.create(String.class);

    private final String suffix;
    private final Function<String, String> missing;
    private final HttpHandler next;

    /**
     * @param suffix  what follows the id in the path ({@code /ws}), or empty
     * @param missing says why an id names nothing, or returns null when it exists
     * @param next    the rest of the upgrade
     */
    ResourcePath(String suffix, Function<String, String> missing, HttpHandler next) {
        this.suffix = suffix;
        this.missing = missing;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String rest = exchange.getRelativePath();
        String id = rest.startsWith("/") && rest.endsWith(suffix) && rest.length() > suffix.length() + 1
            ? rest.substring(1, rest.length() - suffix.length()) : null;
        String why = id == null || id.contains("/") ? "no such endpoint" : missing.apply(id);
        if (why != null) {
            exchange.setStatusCode(StatusCodes.NOT_FOUND);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseSender().send(Json.toText(Json.object().put("error_code", "NOT_FOUND")
                .put("error_message", why)));
            return;
        }
        exchange.putAttachment(RESOURCE, id);
        next.handleRequest(exchange);
    }
}

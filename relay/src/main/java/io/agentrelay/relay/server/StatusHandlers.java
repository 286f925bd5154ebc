package io.agentrelay.relay.server;

import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/** The small HTTP endpoints beside the WebSockets: health, readiness and stats as JSON, metrics as text. */
final class StatusHandlers {

    private StatusHandlers() {
    }

    /**
     * A JSON endpoint for GET; 405 for other methods.
     *
     * @param body   builds the body on the I/O thread: must be cheap and non-blocking
     * @param status the HTTP status for that body
     */
    static HttpHandler json(Supplier<ObjectNode> body, java.util.function.ToIntFunction<ObjectNode> status) {
        return exchange -> {
            if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod())) {
                exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                exchange.endExchange();
                return;
            }
            ObjectNode node = body.get();
            send(exchange, status.applyAsInt(node), node);
        };
    }

    /**
     * A plain-text endpoint for GET, built on a worker thread: scraping every metric takes longer than an I/O thread
     * may be held.
     *
     * @param body        builds the body
     * @param contentType its content type
     */
    static HttpHandler text(Supplier<String> body, String contentType) {
        return new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                if (!Methods.GET.equals(exchange.getRequestMethod())) {
                    exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
                    exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
                    exchange.endExchange();
                    return;
                }
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
                exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
                exchange.getResponseSender().send(body.get());
            }
        };
    }

    /** What a plain HTTP GET of a WebSocket path gets: a hint, not a blank 404. */
    static HttpHandler upgradeRequired() {
        return exchange -> send(exchange, StatusCodes.UPGRADE_REQUIRED, Json.object()
            .put("error", "this path speaks WebSocket; connect with a WebSocket client"));
    }

    private static void send(HttpServerExchange exchange, int status, ObjectNode body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(Json.toText(body));
    }
}

package io.agentrelay.relay.auth;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** The JSON body {@code {error_code, error_message}} of a WebSocket upgrade refused before any socket opens. */
public final class UpgradeRefusal {

    private UpgradeRefusal() {
    }

    /**
     * @param exchange the upgrade request
     * @param status   the HTTP status: 401, 403, 404, or 503 when the node can serve no socket
     * @param code     the error code, as on every other refusal
     * @param message  why, worded for the client
     */
    public static void send(HttpServerExchange exchange, int status, ErrorCode code, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(Json.toText(Json.object().put("error_code", code.name())
            .put("error_message", message)));
    }
}

package io.agentrelay.relay.dialect.agentcraft;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;

/**
 * The ids of {@code get_session_state} and {@code get_session_logs} requests, which name the request's type and
 * session, so that an executor's {@code NOT_FOUND} answer (which carries the request id back) becomes what
 * AgentCraft's server sends for an unknown session, without the dialect keeping per-connection state.
 */
final class SessionQuery {

    private static final String SEPARATOR = ":";

    private SessionQuery() {
    }

    /**
     * @param type      the request's type
     * @param sessionId its session, a channel id (so without {@code :})
     * @return a new request id naming both
     */
    static String id(String type, String sessionId) {
        return type + SEPARATOR + sessionId + SEPARATOR + UUID.randomUUID();
    }

    /**
     * @param error an executor's error answer
     * @return AgentCraft's frame for it when it says that the session of a session query is unknown
     */
    static Optional<byte[]> notFound(Event error) {
        String[] parts = error.correlationId() == null ? new String[0] : error.correlationId().split(SEPARATOR, 3);
        if (parts.length != 3
            || !ErrorCode.NOT_FOUND.name().equals(error.data().path("error_code").asText())) {
            return Optional.empty();
        }
        String sessionId = parts[1];
        Instant at = error.ts();
        return switch (parts[0]) {
            case "get_session_state" -> Optional.of(Json.toBytes(Json.object().put("type", "session_not_found")
                .put("session_id", sessionId).put("timestamp", AgentCraftDialect.epochSeconds(at))));
            case "get_session_logs" -> {
                var frame = Json.object().put("type", "session_logs").put("session_id", sessionId);
                frame.putArray("logs");
                yield Optional.of(Json.toBytes(frame.put("timestamp", AgentCraftDialect.epochSeconds(at))));
            }
            default -> Optional.empty();
        };
    }
}

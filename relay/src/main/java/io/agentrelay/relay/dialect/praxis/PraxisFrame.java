package io.agentrelay.relay.dialect.praxis;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Praxis frame, as its {@code WebSocketMessage} model has it.
 *
 * @param type          the message type, such as {@code workflowStart} or {@code PONG}
 * @param payload       the message's fields, camelCase
 * @param id            the frame's id
 * @param timestamp     when it was sent, or when the event happened
 * @param correlationId the request answered, or absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PraxisFrame(String type, JsonNode payload, String id, Instant timestamp, String correlationId) {
}

package io.agentrelay.common.protocol;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One frame of the canonical WebSocket protocol (on {@code /ws} and {@code /}): the Mahavishnu envelope, extended
 * with {@code pos} on events. Absent fields are left out of the JSON.
 *
 * @param id            the frame's id; on requests, the id that the response echoes as {@code correlation_id}
 * @param correlationId on responses and errors, the id of the request answered
 * @param type          {@value #REQUEST}, {@value #RESPONSE}, {@value #EVENT} or {@value #ERROR}
 * @param event         the request name, or the dotted event name
 * @param data          the payload
 * @param timestamp     when the server sent it, or when the event happened
 * @param room          on events, the channel
 * @param pos           on events, the opaque resume position
 * @param errorCode     on errors, an {@link ErrorCode} name
 * @param errorMessage  on errors, a human-readable message
 * @param replayed      on events sent by a {@code replay}, true; absent on live events
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(
    String id,
    String correlationId,
    String type,
    String event,
    JsonNode data,
    Instant timestamp,
    String room,
    String pos,
    String errorCode,
    String errorMessage,
    Boolean replayed) {

    /** A client's request. */
    public static final String REQUEST = "request";
    /** The server's answer to a request. */
    public static final String RESPONSE = "response";
    /** Something that happened on a subscribed channel. */
    public static final String EVENT = "event";
    /** A request failed. */
    public static final String ERROR = "error";

    /**
     * A request frame, as clients send it.
     *
     * @param id    the request id
     * @param event the request name
     * @param data  its fields
     * @return the frame
     */
    public static Envelope request(String id, String event, JsonNode data) {
        return new Envelope(id, null, REQUEST, event, data, null, null, null, null, null, null);
    }

    /**
     * The frame of an event of a subscribed channel.
     *
     * @param event    the event
     * @param position where it sits in Kafka
     * @param replayed whether a replay sends it again
     * @return the frame
     */
    public static Envelope event(Event event, Position position, boolean replayed) {
        return new Envelope(event.id(), event.correlationId(), EVENT, event.event(), event.data(), event.ts(),
            event.channel().name(), position.encode(), null, null, replayed ? Boolean.TRUE : null);
    }
}

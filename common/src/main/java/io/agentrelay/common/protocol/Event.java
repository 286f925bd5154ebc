package io.agentrelay.common.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something that happened, as executors publish it to {@code <prefix>.events.<namespace>}, keyed by its channel.
 *
 * <p>An event on a {@code conn:<id>} channel with a {@link #correlationId()} is the reply to that connection's request
 * of that id: relays send it as a response frame, or as an error frame when its name is {@link #ERROR}.
 *
 * @param id            unique id of this event
 * @param channel       the channel it belongs to; its name is the record key
 * @param event         dotted event name, such as {@code node.completed}; for a reply, the request's name
 * @param data          the event's fields, snake_case
 * @param ts            when it happened
 * @param correlationId the request this event answers, or {@code null}
 * @param to            the only connection ({@code conn:<id>}) this event is for, or {@code null} for every subscriber
 *                      of its channel: an answer that travels on an entity's channel so that it reaches its asker
 *                      after the entity's events it follows (a panel tool's result after its patch)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(String id, Channel.Scoped channel, String event, JsonNode data, Instant ts, String correlationId,
                    String to) {

    /** The event name of a reply that reports a failure; its data are {@code error_code} and {@code error_message}. */
    public static final String ERROR = "error";
    /** The data field that marks a {@link #workflowRefused} reply. */
    private static final String WORKFLOW_REFUSED = "workflow_refused";

    /** Validates the required fields and fills a missing {@code data} with an empty object. */
    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(ts, "ts");
        data = data == null ? JsonNodeFactory.instance.objectNode() : data;
    }

    /**
     * A new event with a fresh id, stamped now.
     *
     * @param channel the channel it belongs to
     * @param event   dotted event name
     * @param data    its fields
     * @return the event
     */
    public static Event of(Channel.Scoped channel, String event, JsonNode data) {
        return new Event(UUID.randomUUID().toString(), channel, event, data, Instant.now(), null, null);
    }

    /**
     * The successful answer to a connection's request.
     *
     * @param replyTo   the asker's {@code conn:<id>} channel
     * @param request   the request's name, such as {@code get_workflow_status}
     * @param requestId the id of the request it answers
     * @param data      the answer
     * @return the reply event
     */
    public static Event reply(Channel.Scoped replyTo, String request, String requestId, JsonNode data) {
        return new Event(UUID.randomUUID().toString(), replyTo, request, data, Instant.now(), requestId, null);
    }

    /**
     * The successful answer to a connection's request, sent on an entity's channel so that the asker gets it after
     * every event of that channel published before it; other subscribers never see it.
     *
     * @param channel   the entity's channel
     * @param replyTo   the asker's {@code conn:<id>} channel
     * @param request   the request's name
     * @param requestId the id of the request it answers
     * @param data      the answer
     * @return the reply event
     */
    public static Event replyOn(Channel.Scoped channel, Channel.Scoped replyTo, String request, String requestId,
                                JsonNode data) {
        return new Event(UUID.randomUUID().toString(), channel, request, data, Instant.now(), requestId,
            replyTo.name());
    }

    /**
     * The failed answer to a connection's request.
     *
     * @param replyTo   the asker's {@code conn:<id>} channel
     * @param requestId the id of the request it answers
     * @param code      the error code
     * @param message   what went wrong, worded for the client
     * @return the reply event
     */
    public static Event errorReply(Channel.Scoped replyTo, String requestId, ErrorCode code, String message) {
        ObjectNode data = JsonNodeFactory.instance.objectNode()
            .put("error_code", code.name())
            .put("error_message", message);
        return new Event(UUID.randomUUID().toString(), replyTo, ERROR, data, Instant.now(), requestId, null);
    }

    /**
     * The failed answer to a request to run a workflow whose id another request already used: an {@link #errorReply}
     * ({@code INVALID_REQUEST}) whose data also name the workflow, as {@code workflow_id}, and carry the
     * {@code workflow_refused} marker ({@link #isWorkflowRefusal()}), so that a dialect can tell the requester in the
     * shape its clients know.
     *
     * @param replyTo    the asker's {@code conn:<id>} channel
     * @param requestId  the id of the request it answers
     * @param workflowId the workflow the request named
     * @param message    why nothing ran
     * @return the reply event
     */
    public static Event workflowRefused(Channel.Scoped replyTo, String requestId, String workflowId, String message) {
        Event reply = errorReply(replyTo, requestId, ErrorCode.INVALID_REQUEST, message);
        ((ObjectNode) reply.data()).put("workflow_id", workflowId).put(WORKFLOW_REFUSED, true);
        return reply;
    }

    /**
     * Whether this is a {@link #workflowRefused} reply: told by its marker, not by a {@code workflow_id}, which any
     * other error reply may carry too.
     */
    @JsonIgnore
    public boolean isWorkflowRefusal() {
        return ERROR.equals(event) && data.path(WORKFLOW_REFUSED).asBoolean(false);
    }

    /** Whether this event answers one connection's request rather than telling a channel's subscribers. */
    @JsonIgnore
    public boolean isReply() {
        return to != null || channel.namespace() == Namespace.CONN && correlationId != null;
    }

    /** The request this event answers, if it is a reply. */
    public Optional<String> correlation() {
        return Optional.ofNullable(correlationId);
    }
}

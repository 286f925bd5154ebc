package io.agentrelay.common.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A client's request for work, as relays publish it to {@code <prefix>.commands}, keyed by its target entity so that
 * one executor owns each entity and sees its commands in order.
 *
 * @param id        unique id; the idempotency key, and the id in the client's {@code accepted} response
 * @param requestId the id of the client's request frame, echoed in replies as their correlation id
 * @param target    the entity the command is about, such as {@code workflow:<id>}; its name is the record key
 * @param replyTo   the sender's {@code conn:<id>} channel, where direct answers go
 * @param principal who sent it
 * @param payload   what to do; its {@link CommandPayload#kind()} names the command
 * @param ts        when the relay accepted it
 */
public record Command(
    UUID id,
    String requestId,
    Channel.Scoped target,
    Channel.Scoped replyTo,
    Principal principal,
    CommandPayload payload,
    Instant ts) {

    /** Validates the required fields. */
    public Command {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(replyTo, "replyTo");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ts, "ts");
        principal = principal == null ? Principal.ANONYMOUS : principal;
    }

    /** The command's kind, such as {@code execute_workflow}. */
    public String kind() {
        return payload.kind();
    }
}

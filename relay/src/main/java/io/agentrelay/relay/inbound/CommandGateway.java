package io.agentrelay.relay.inbound;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.log.LogText;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.kafka.CommandPublisher;
import io.agentrelay.relay.session.RelayStats;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path from a client's request to the command topic, for every dialect and the HTTP API alike: the
 * authorization of the command, its idempotency key, and its publication with a trace. Thread-safe; nothing here
 * blocks.
 */
public final class CommandGateway {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);

    private final CommandPublisher publisher;
    private final RelayStats stats;

    /**
     * @param publisher the command producer
     * @param stats     the node's counters
     */
    public CommandGateway(CommandPublisher publisher, RelayStats stats) {
        this.publisher = publisher;
        this.stats = stats;
    }

    /**
     * Builds the command once the grants allow it: its kind, and reading the channel of the entity it acts on (the
     * channel a client would subscribe to for it). A token that may not see a workflow may not start, cancel or ask
     * about it either.
     *
     * @param grants    the client's grants
     * @param id        the command id, from {@link Grants#commandId}
     * @param requestId the client's request id
     * @param payload   what to do
     * @param replyTo   the private channel that answers go to
     * @return the command, ready to publish
     * @throws RelayException with {@link ErrorCode#FORBIDDEN} when the grants do not allow it
     */
    public Command authorize(Grants grants, UUID id, String requestId, CommandPayload payload,
                             Channel.Scoped replyTo) {
        Channel.Scoped entity = payload.target();
        if (!grants.mayCommand(payload.kind())) {
            LOG.info("Refused {} the command {}", LogText.escape(grants.subject()), payload.kind());
            throw new RelayException(ErrorCode.FORBIDDEN, "your token does not allow the command " + payload.kind());
        }
        if (!grants.maySubscribe(entity)) {
            LOG.info("Refused {} the command {} on {}", LogText.escape(grants.subject()), payload.kind(), entity);
            throw new RelayException(ErrorCode.FORBIDDEN,
                "your token does not allow reading " + entity + ", so not " + payload.kind() + " on it either");
        }
        return new Command(id, requestId, entity, replyTo, new Principal(grants.subject(), Map.of()), payload,
            Instant.now());
    }

    /**
     * What a client is answered once Kafka took its command, on a socket or over HTTP.
     *
     * @param command the command
     * @param trace   its trace context
     * @return {@code {status: "accepted", command_id, workflow_id?, trace_id}}
     */
    public static ObjectNode accepted(Command command, Traceparent trace) {
        ObjectNode data = Json.object()
            .put("status", "accepted")
            .put("command_id", command.id().toString());
        if (command.payload() instanceof CommandPayload.ExecuteWorkflow execute) {
            data.put("workflow_id", execute.workflowId());
        }
        return data.put("trace_id", trace.traceId());
    }

    /**
     * Publishes an authorized command.
     *
     * @param command the command, from {@link #authorize}
     * @param trace   its trace context
     * @return completes when Kafka acknowledged it, or fails with a {@link RelayException}
     */
    public CompletableFuture<RecordMetadata> publish(Command command, Traceparent trace) {
        return publisher.publish(command, trace).whenComplete((metadata, failure) -> {
            if (failure != null) {
                stats.commandRejected();
                return;
            }
            stats.commandPublished();
            if (!command.payload().isQuery()) {
                stats.commandAccepted(command.target().name());
            }
            LOG.debug("Published {} {} (trace {})", command.payload().kind(), command.id(), trace.traceId());
        });
    }
}

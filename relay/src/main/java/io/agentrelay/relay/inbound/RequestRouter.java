package io.agentrelay.relay.inbound;

import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.relay.dialect.InvalidFrameException;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.fanout.HistoryReader;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries out a session's frames: decode with the session's dialect, check, then subscribe, publish a command or
 * answer directly. Called on the I/O thread, so nothing here blocks: subscriptions and commands answer later, from
 * the fan-out thread or the producer's callback.
 */
public final class RequestRouter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestRouter.class);

    private final SubscriptionHandler subscriptions;
    private final ReplayHandler replays;
    private final CommandGateway commands;
    private final RelayStats stats;

    /**
     * @param fanout           live subscriptions
     * @param history          reads of past events, for resumes
     * @param commands         the path of commands to Kafka
     * @param stats            the node's counters
     * @param maxSubscriptions channels one session may subscribe to
     */
    public RequestRouter(EventFanout fanout, HistoryReader history, CommandGateway commands, RelayStats stats,
                         int maxSubscriptions) {
        this.subscriptions = new SubscriptionHandler(fanout, history, maxSubscriptions, stats);
        this.replays = new ReplayHandler(fanout, history);
        this.commands = commands;
        this.stats = stats;
    }

    /**
     * Handles one text frame of a session.
     *
     * @param session the session it came from
     * @param text    the frame
     */
    public void onFrame(Session session, String text) {
        // Log lines about this frame name its connection and dialect (fields of the JSON log format).
        MDC.put("connection_id", session.id());
        MDC.put("dialect", session.dialect().name());
        try {
            handleFrame(session, text);
        } finally {
            MDC.remove("connection_id");
            MDC.remove("dialect");
        }
    }

    private void handleFrame(Session session, String text) {
        stats.frameIn();
        stats.bytesIn(text.length());
        if (!session.admitFrame()) {
            if (session.isOpen()) {
                sendError(session, ErrorCode.RATE_LIMITED, "more than the allowed frames per second; slow down", null);
            }
            return;
        }
        Request request;
        try {
            request = session.dialect().decode(text, session.connection());
        } catch (InvalidFrameException e) {
            sendError(session, e.code(), e.getMessage(), e.requestId().orElse(null));
            return;
        } catch (RuntimeException e) {
            // A decoder bug: the client is answered, and nothing escapes into Undertow's I/O thread.
            LOG.error("Decoding a frame of session {} failed", session.id(), e);
            sendError(session, ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.defaultMessage(), null);
            return;
        }
        handle(session, request);
    }

    /**
     * Carries out a request of a session, decoded from a frame or made by its dialect on the client's behalf; failures
     * become error frames.
     *
     * @param session the session
     * @param request the request
     */
    public void handle(Session session, Request request) {
        try {
            route(session, request);
        } catch (RelayException e) {
            sendError(session, e.code(), e.getMessage(), request.id());
        } catch (RuntimeException e) {
            LOG.error("Request {} of session {} failed", request.name(), session.id(), e);
            sendError(session, ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.defaultMessage(), request.id());
        }
    }

    private void route(Session session, Request request) {
        if (request instanceof Request.Subscribe subscribe) {
            answerFailure(session, request, subscriptions.subscribe(session, subscribe));
        } else if (request instanceof Request.Unsubscribe unsubscribe) {
            subscriptions.unsubscribe(session, unsubscribe);
        } else if (request instanceof Request.Replay replay) {
            ChannelAccess.requireReadable(session, replay.scope());
            replays.replay(session, replay);
        } else if (request instanceof Request.SendCommand command) {
            publish(session, command);
        } else if (request instanceof Request.FilterEvents filter) {
            session.filter().add(filter.add());
            session.filter().remove(filter.remove());
            respond(session, request, Json.object()
                .set("event_types", Json.tree(new TreeSet<>(session.filter().names()))));
        } else if (request instanceof Request.Watch watch) {
            ChannelAccess.requireReadable(session, watch.channel());
            session.filter().add(watch.events());
            // A session on global already gets the channel's events: another subscription would only count against
            // its limit (AgentCraft's React app streams the logs of a new chat id with every message).
            CompletableFuture<Void> following = session.subscriptions().contains(Channel.GLOBAL)
                ? CompletableFuture.completedFuture(null) : subscriptions.follow(session, watch.channel());
            answerFailure(session, request, following.thenRun(() ->
                respond(session, request, Json.object().put("channel", watch.channel().name()))));
        } else if (request instanceof Request.Ping) {
            session.clientPinged();
            respond(session, request, Json.object().put("status", "pong"));
        }
        // Request.Pong needs nothing: every frame already counts as a sign of life.
    }

    private void publish(Session session, Request.SendCommand request) {
        CommandPayload payload = request.payload();
        Command command = commands.authorize(session.grants(), session.connection().commandId(request.id()),
            request.id(), payload, session.privateChannel());
        // Replies travel on the session's private channel: publish only once this node reads it (the session's first
        // command waits for that), and, for dialects whose clients see the work they start, once the session follows
        // the entity.
        Traceparent trace = Traceparent.newTrace();
        CompletableFuture<Void> ready = session.nextCommand(() -> request.follow()
            ? subscriptions.follow(session, payload.target())
            : CompletableFuture.completedFuture(null));
        CompletableFuture<?> published = ready
            .thenCompose(ignored -> commands.publish(command, trace))
            .whenComplete((metadata, failure) -> {
                if (failure == null && !payload.isQuery()) {
                    respond(session, request, CommandGateway.accepted(command, trace));
                }
            });
        answerFailure(session, request, published);
    }

    /** Answers a request whose work failed after it was routed with an error frame. */
    private void answerFailure(Session session, Request request, CompletableFuture<?> work) {
        work.whenComplete((ignored, failure) -> {
            if (failure == null) {
                return;
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof RelayException relayFailure) {
                sendError(session, relayFailure.code(), relayFailure.getMessage(), request.id());
            } else {
                LOG.error("Request {} of session {} failed", request.name(), session.id(), cause);
                sendError(session, ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.defaultMessage(), request.id());
            }
        });
    }

    private static void respond(Session session, Request request, ObjectNode data) {
        byte[] frame = session.dialect().response(request, data);
        if (frame != null) {
            session.send(frame);
        }
    }

    private void sendError(Session session, ErrorCode code, String message, String correlationId) {
        stats.errorSent(code);
        session.send(session.dialect().error(code, message, correlationId));
        session.errorSent();
    }
}

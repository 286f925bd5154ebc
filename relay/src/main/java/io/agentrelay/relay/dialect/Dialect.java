package io.agentrelay.relay.dialect;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.relay.auth.Grants;

/**
 * One client protocol spoken on one endpoint: a codec between its frames and the relay's requests and events. A
 * dialect holds no business logic and no per-connection state; one instance serves every connection, from any thread.
 *
 * <p>Encoders return UTF-8 JSON bytes. An event is encoded once per dialect and the same bytes go to every subscriber,
 * so {@link #event} must not depend on the receiving connection.
 */
public interface Dialect {

    /** The dialect's name, in logs and stats. */
    String name();

    /**
     * Decodes one text frame.
     *
     * @param text       the frame
     * @param connection the connection it came on, for requests about the connection's own session or resource
     * @return the request
     * @throws InvalidFrameException when the frame is not a valid request of this dialect
     */
    Request decode(String text, Connection connection);

    /**
     * Why a token may not open this endpoint's resource, checked at the WebSocket upgrade so that such a client gets
     * HTTP 403 and no socket.
     *
     * @param grants   what the client's token allows
     * @param resource the id in the endpoint's path, or null for endpoints without one
     * @return the reason, or empty when it may
     */
    default Optional<String> forbidden(Grants grants, String resource) {
        return Optional.empty();
    }

    /**
     * Begins a connection: its first frame, or a refusal when the endpoint's path names nothing this dialect serves.
     *
     * @param connection the new connection
     * @param nodeId     the relay node's id
     * @return the opening
     */
    Opening open(Connection connection, String nodeId);

    /**
     * The relay's own successful answer to a request.
     *
     * @param request the request answered
     * @param data    the answer
     * @return the frame, or null when this dialect does not answer such requests
     */
    byte[] response(Request request, JsonNode data);

    /**
     * An executor's answer to a request, which arrived on the connection's {@code conn:<id>} channel.
     *
     * @param reply the reply event; its name is the request's, or {@link Event#ERROR}
     * @return the frame
     */
    byte[] reply(Event reply);

    /**
     * An error frame.
     *
     * @param code          the error code
     * @param message       what went wrong
     * @param correlationId the failed request's id, or {@code null}
     * @return the frame
     */
    byte[] error(ErrorCode code, String message, String correlationId);

    /**
     * An event for subscribers of its channel.
     *
     * @param event    the event
     * @param position where it sits in Kafka
     * @return the frame, or null when this dialect's clients have no use for the event
     */
    byte[] event(Event event, Position position);

    /**
     * A second frame sent to a live event's subscribers right after the event's own, for clients that expect two
     * messages for one thing (AgentCraft's React app reads a session's end under two names).
     *
     * @param event the event
     * @return the frame, or null (the default) when the event's own frame is all
     */
    default byte[] trailer(Event event) {
        return null;
    }

    /**
     * The frame of an event read from a channel: a reply when it answers a request, else the event.
     *
     * @param event    the event
     * @param position where it sits in Kafka
     * @return the frame, or null when this dialect's clients have no use for it
     */
    default byte[] encode(Event event, Position position) {
        return event.isReply() ? reply(event) : event(event, position);
    }

    /**
     * An event sent again by a {@code replay}, marked so that clients never mistake it for a live one.
     *
     * @param event    the event
     * @param position where it sits in Kafka
     * @return the frame
     */
    byte[] replayed(Event event, Position position);

    /**
     * The end of a replay.
     *
     * @param request the replay request
     * @param channel the channel replayed
     * @param count   how many events were sent
     * @return the frame
     */
    byte[] replayCompleted(Request request, String channel, long count);

    /** The events a new connection receives on the channels it follows: all of them unless the dialect filters. */
    default EventFilter initialFilter() {
        return EventFilter.all();
    }

    /** The close code for a connection refused because the node is full. */
    default int refusalCloseCode() {
        return WsCloseCodes.TRY_AGAIN_LATER;
    }

    /** How many error frames a connection may cause before it is closed; 0 for no limit. */
    default int maxErrors() {
        return 0;
    }

    /**
     * How long a connection may give no sign of life (no frame, and no pong to the relay's WebSocket ping frames,
     * which browsers send by themselves) before it is closed as dead; null for the node's default, three
     * {@code RELAY_PING_INTERVAL_MS}.
     */
    default Duration silenceLimit() {
        return null;
    }

    /**
     * How long a client that has sent this dialect's application ping at least once may go without sending another
     * before it is closed, as the dialect's own server does; null when clients need not ping. Clients that never
     * pinged are only closed when dead ({@link #silenceLimit()}).
     */
    default Duration pingTimeout() {
        return null;
    }

    /** The frames a connection may send, when this dialect has its own rate; empty for the node's default. */
    default Optional<FrameRate> frameRate() {
        return Optional.empty();
    }

    /**
     * How long a client may stay silent before the relay sends it {@link #ping()}; null when the server does not
     * ping (the client does, or nobody).
     */
    default Duration pingAfter() {
        return null;
    }

    /** The server's heartbeat frame, when {@link #pingAfter()} is set. */
    default byte[] ping() {
        return null;
    }

    /**
     * The frame a connection gets when the active sessions change, for dialects that list them.
     *
     * @param connection the connection, whose grants decide which sessions it may see
     * @param active     the sessions active now
     * @return the frame, or null when this dialect does not list sessions
     */
    default byte[] sessionsChanged(Connection connection, Collection<SessionSnapshot> active) {
        return null;
    }
}

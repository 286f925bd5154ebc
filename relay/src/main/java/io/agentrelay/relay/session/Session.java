package io.agentrelay.relay.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.relay.dialect.Dialect;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: its id and private channel, dialect, principal, subscriptions and bounded outbox.
 *
 * <p>Thread-safe: frames are sent from the I/O thread, the fan-out thread and producer callbacks alike.
 */
public final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final String id;
    private final Channel.Scoped privateChannel;
    private final Dialect dialect;
    private final Principal principal;
    private final WebSocketChannel socket;
    private final Outbox outbox;
    private final RelayStats stats;
    private final Set<Channel> subscriptions = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> replyRoute = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final WebSocketCallback<Integer> onWritten = new Written();

    private final FrameRateLimiter rateLimiter;

    Session(String id, Dialect dialect, Principal principal, WebSocketChannel socket, int outboxMessages,
            int outboxBytes, int rateLimit, RelayStats stats) {
        this.id = id;
        this.privateChannel = Channel.of(Namespace.CONN, id);
        this.dialect = dialect;
        this.principal = principal;
        this.socket = socket;
        this.outbox = new Outbox(outboxMessages, outboxBytes);
        this.rateLimiter = new FrameRateLimiter(rateLimit, System::nanoTime);
        this.stats = stats;
    }

    /** The connection id. */
    public String id() {
        return id;
    }

    /** {@code conn:<id>}: where executors send this connection's replies. */
    public Channel.Scoped privateChannel() {
        return privateChannel;
    }

    /** The protocol this connection speaks. */
    public Dialect dialect() {
        return dialect;
    }

    /** Who is connected. */
    public Principal principal() {
        return principal;
    }

    /** The channels the client subscribed to (not counting its private channel). */
    public Set<Channel> subscriptions() {
        return subscriptions;
    }

    /**
     * Completes once this connection's private channel is being consumed, so that replies to its commands cannot be
     * missed: commands are published only after it.
     */
    public CompletableFuture<Void> replyRoute() {
        return replyRoute;
    }

    /**
     * Counts an inbound frame against the connection's rate. Called on the connection's I/O thread.
     *
     * @return true to handle the frame; false when it is over the rate and the caller must answer
     *     {@code RATE_LIMITED}. A client that keeps flooding while refused is closed here with 1008, and false is
     *     returned.
     */
    public boolean admitFrame() {
        switch (rateLimiter.admit()) {
            case ADMIT:
                return true;
            case DISCONNECT:
                close(WsCloseCodes.POLICY_VIOLATION, "rate limit exceeded");
                return false;
            default:
                return false;
        }
    }

    /**
     * Queues a frame for the socket. When the outbox is full the client is too slow: the session is closed with 1013,
     * and the client resumes from Kafka after reconnecting.
     *
     * @param frame an encoded frame; not modified, so the same bytes may go to many sessions
     */
    public void send(byte[] frame) {
        if (closing.get()) {
            return;
        }
        if (!outbox.offer(frame)) {
            stats.slowConsumerClosed();
            close(WsCloseCodes.TRY_AGAIN_LATER, "outbox full: reconnect and resume");
            return;
        }
        writeNext();
    }

    /**
     * Closes the connection with a code and reason; frames still queued are dropped.
     *
     * @param code   a {@link WsCloseCodes} value
     * @param reason a short reason, at most 123 bytes of UTF-8
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            WebSockets.sendClose(code, reason, socket, new CloseSent());
        }
    }

    /** Whether the socket is still open for frames. */
    public boolean isOpen() {
        return !closing.get() && socket.isOpen();
    }

    int queued() {
        return outbox.size();
    }

    private void writeNext() {
        ByteBuffer next = outbox.poll();
        if (next != null) {
            WebSockets.sendText(next, socket, onWritten, next.remaining());
        }
    }

    /** Undertow finishes the close handshake itself; a close frame that cannot be written ends the socket. */
    private final class CloseSent implements WebSocketCallback<Void> {
        @Override
        public void complete(WebSocketChannel channel, Void context) {
            // The client answers with its close frame, and Undertow then closes the socket.
        }

        @Override
        public void onError(WebSocketChannel channel, Void context, Throwable failure) {
            LOG.debug("Sending close to session {} failed", id, failure);
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing session {} failed", id, e);
            }
        }
    }

    /** Runs on the I/O thread when Undertow wrote a frame; the context is the frame's length. */
    private final class Written implements WebSocketCallback<Integer> {
        @Override
        public void complete(WebSocketChannel channel, Integer frameBytes) {
            outbox.sent(frameBytes);
            stats.frameOut();
            writeNext();
        }

        @Override
        public void onError(WebSocketChannel channel, Integer frameBytes, Throwable failure) {
            outbox.sent(frameBytes);
            if (!closing.get()) {
                LOG.debug("Writing to session {} failed; closing it", id, failure);
                closing.set(true);
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("Closing session {} failed", id, e);
                }
            }
        }
    }
}

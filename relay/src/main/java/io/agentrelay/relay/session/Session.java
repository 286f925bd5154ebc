package io.agentrelay.relay.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.Connection;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.EventFilter;
import io.agentrelay.relay.dialect.FrameRate;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: its id and private channel, dialect, grants, subscriptions and bounded outbox.
 *
 * <p>Thread-safe: frames are sent from the I/O thread, the fan-out thread and producer callbacks alike.
 */
public final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** A wait for room also ends after this, in case the socket closed without a frame being written. */
    private static final long ROOM_WAIT_MILLIS = 100;
    /**
     * How long a closing connection may take to answer the relay's close frame. Undertow waits for the answer without
     * a timeout, so a peer that vanished or stopped reading would keep its socket, slot and subscriptions for as long
     * as TCP takes to notice, or forever; the sweeper closes its socket after this.
     */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final String id;
    private final Channel.Scoped privateChannel;
    private final Dialect dialect;
    private final String owner;
    private final WebSocketChannel socket;
    private final Outbox outbox;
    private final RelayStats stats;
    private final Set<Channel> subscriptions = ConcurrentHashMap.newKeySet();
    private final ChannelCursors cursors;
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> replyRoute = new CompletableFuture<>();
    private CompletableFuture<Void> commandsReady;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** {@link System#nanoTime()} when {@link #close} sent the close frame; 0 before. */
    private volatile long closingSince;
    /** Signalled when a frame left the outbox, for senders waiting in {@link #awaitRoom}. */
    private final Object room = new Object();
    private final AtomicInteger waitingForRoom = new AtomicInteger();
    private final WebSocketCallback<Outgoing> onWritten = new Written();
    private final WebSocketCallback<Void> controlFrameSent = new ControlFrameSent();

    private final FrameRateLimiter rateLimiter;
    private final EventFilter filter;
    private final AtomicInteger errors = new AtomicInteger();
    private final Liveness liveness;

    private final Grants grants;
    private final Connection connection;

    Session(String id, String resource, Dialect dialect, Grants grants, String owner, WebSocketChannel socket,
            int outboxMessages, int outboxBytes, FrameRate rate, Duration pingInterval, RelayStats stats) {
        this.id = id;
        this.connection = new Connection(id, resource, grants);
        this.privateChannel = Channel.of(Namespace.CONN, id);
        this.dialect = dialect;
        this.grants = grants;
        this.owner = owner;
        this.socket = socket;
        this.outbox = new Outbox(outboxMessages, outboxBytes);
        this.rateLimiter = new FrameRateLimiter(rate, System::nanoTime);
        this.filter = dialect.initialFilter();
        this.liveness = new Liveness(dialect, pingInterval, System::nanoTime);
        this.commandsReady = replyRoute;
        this.cursors = new ChannelCursors(outboxMessages, this::enqueue, this::overflow);
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

    /** The connection as its dialect sees it. */
    public Connection connection() {
        return connection;
    }

    /** What the connection's token allows. */
    public Grants grants() {
        return grants;
    }

    /** Whom the connection counts against for the per-subject connection limit. */
    public String owner() {
        return owner;
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
     * Whether this session gets an event of a channel it follows: an answer only when it is addressed to this
     * connection, any other event when the session's filter takes its name.
     *
     * @param event the event
     * @return true to send it
     */
    public boolean wants(Event event) {
        return event.to() != null ? event.to().equals(privateChannel.name()) : filter.accepts(event.event());
    }

    /** The event types this session receives on the channels it follows. */
    public EventFilter filter() {
        return filter;
    }

    /**
     * Counts an error frame sent to the client; a dialect with an error limit closes the connection past it.
     */
    public void errorSent() {
        int limit = dialect.maxErrors();
        if (limit > 0 && errors.incrementAndGet() > limit) {
            close(WsCloseCodes.POLICY_VIOLATION, "more than " + limit + " errors");
        }
    }

    /**
     * Closes the connection when it gave no sign of life for too long (see {@link Liveness}); else sends it a WebSocket
     * ping frame, and its dialect's own heartbeat frame, when it has been silent a while. A connection that has not
     * answered its close frame within {@link #CLOSE_GRACE} loses its socket. Called by the sweeper.
     */
    public void keepAlive() {
        if (closing.get()) {
            long since = closingSince;
            if (since != 0 && socket.isOpen() && System.nanoTime() - since > CLOSE_GRACE.toNanos()) {
                LOG.debug("Session {} did not answer its close frame; closing its socket", id);
                socket.getIoThread().execute(() -> IoUtils.safeClose(socket));
            }
            return;
        }
        if (!socket.isOpen()) {
            return;
        }
        String reason = liveness.closeReason();
        if (reason != null) {
            close(WsCloseCodes.POLICY_VIOLATION, reason);
            return;
        }
        if (liveness.probeDue()) {
            WebSockets.sendPing(ByteBuffer.allocate(0), socket, controlFrameSent);
        }
        if (liveness.serverPingDue()) {
            send(dialect.ping());
        }
    }

    /** Notes a sign of life that is not a text frame: a pong (or ping) frame. Called on the I/O thread. */
    public void heard() {
        liveness.heard();
    }

    /** Notes the client's application ping, for dialects whose server times out clients that stop pinging. */
    public void clientPinged() {
        liveness.clientPinged();
    }

    /**
     * Counts an inbound frame against the connection's rate. Called on the connection's I/O thread.
     *
     * @return true to handle the frame; false when it is over the rate and the caller must answer
     *     {@code RATE_LIMITED}. A client that keeps flooding while refused is closed here with 1008, and false is
     *     returned.
     */
    public boolean admitFrame() {
        liveness.heard();
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
     * Starts following a channel: from now on {@link #deliver} sends its events, each at most once and in order.
     *
     * @param channel    the channel's name
     * @param lastOffset the offset of the last event the client already has, or -1
     * @param catchingUp whether a resume is about to send older events through {@link #catchUp}; live events are then
     *                   held until {@link #caughtUp}
     * @return this subscription's cursor, through which a resume sends its history
     */
    public ChannelCursor follow(String channel, long lastOffset, boolean catchingUp) {
        return cursors.follow(channel, lastOffset, catchingUp);
    }

    /**
     * Whether a subscription is still the session's current one of its channel: the session is open and its client
     * neither unsubscribed nor subscribed the channel again since.
     */
    public boolean follows(ChannelCursor cursor) {
        return isOpen() && cursors.isCurrent(cursor);
    }

    /**
     * Moves a followed channel's cursor: the client's own last offset turned out not to be a real position (ahead of
     * the partition, or from another topic), and events after {@code lastOffset} are the ones it must get.
     *
     * @param cursor     the subscription's cursor; nothing happens when it is no longer current
     * @param lastOffset the offset after which events are sent
     */
    public void restartAfter(ChannelCursor cursor, long lastOffset) {
        cursors.restartAfter(cursor, lastOffset);
    }

    /**
     * Stops following a channel.
     *
     * @param channel the channel's name
     */
    public void unfollow(String channel) {
        cursors.unfollow(channel);
    }

    /**
     * Sends a live event of a followed channel, unless the client already has it; holds it while the channel catches
     * up. Called by the fan-out thread.
     *
     * @param channel the channel's name
     * @param offset  the event's offset
     * @param pos     the event's encoded position
     * @param frame   the encoded frame
     */
    public void deliver(String channel, long offset, String pos, byte[] frame) {
        cursors.deliver(channel, offset, pos, frame);
    }

    /**
     * Sends an older event of a channel that is catching up. Called by the catch-up thread, in offset order.
     *
     * @param cursor the subscription's cursor; nothing is sent when it is no longer current
     * @param offset the event's offset
     * @param pos    the event's encoded position
     * @param frame  the encoded frame
     */
    public void catchUp(ChannelCursor cursor, long offset, String pos, byte[] frame) {
        cursors.catchUp(cursor, offset, pos, frame);
    }

    /**
     * Ends a catch-up: sends the live events held meanwhile that the catch-up did not already send, and delivers live
     * events directly from now on.
     *
     * @param cursor the subscription's cursor; when it is no longer current, its held events are dropped
     */
    public void caughtUp(ChannelCursor cursor) {
        cursors.caughtUp(cursor);
    }

    /**
     * Orders this session's commands: each becomes ready to publish only after the one before it did, so that a
     * command whose preparation is quick (its entity already followed) cannot overtake an earlier one still waiting.
     *
     * @param readiness what must happen before this command is published, started after the previous command's
     * @return completes when this command may be published
     */
    public synchronized CompletableFuture<Void> nextCommand(Supplier<CompletableFuture<Void>> readiness) {
        CompletableFuture<Void> next = commandsReady.handle((ignored, failure) -> null)
            .thenCompose(ignored -> readiness.get());
        commandsReady = next;
        return next;
    }

    /**
     * Queues a frame for the socket. When the outbox is full the client is too slow: the session is closed with 1013,
     * and the client resumes from Kafka after reconnecting.
     *
     * @param frame an encoded frame; not modified, so the same bytes may go to many sessions
     */
    public void send(byte[] frame) {
        enqueue(Outgoing.plain(frame));
    }

    /**
     * The position of the last event of each channel that was written to the socket: where the client resumes.
     */
    public Map<String, String> writtenPositions() {
        return Map.copyOf(written);
    }

    private void enqueue(Outgoing frame) {
        if (closing.get()) {
            return;
        }
        if (!outbox.offer(frame)) {
            overflow();
            return;
        }
        writeNext();
    }

    private void overflow() {
        stats.slowConsumerClosed();
        close(WsCloseCodes.TRY_AGAIN_LATER, ResumeReason.of(ResumeReason.SLOW_CONSUMER, writtenPositions()));
    }

    /**
     * Closes the connection with a code and reason; frames still queued are dropped.
     *
     * @param code   a {@link WsCloseCodes} value
     * @param reason a short reason, at most 123 bytes of UTF-8
     */
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            closingSince = System.nanoTime();
            signalRoom();
            WebSockets.sendClose(code, reason, socket, controlFrameSent);
        }
    }

    /** Frames waiting in the outbox. */
    public int queuedFrames() {
        return outbox.size();
    }

    /**
     * Closes the connection because the relay is shutting down, with 1001 and the positions to resume from, so that
     * its client reconnects (through the load balancer, to another node) and misses nothing.
     */
    public void closeGoingAway() {
        close(WsCloseCodes.GOING_AWAY, ResumeReason.of(ResumeReason.SHUTTING_DOWN, writtenPositions()));
    }

    /**
     * Closes the connection because the node's event reader ended and it can deliver nothing more, with 1011 and the
     * positions to resume from: every client reconnects on its own (the load balancer sends it to a node whose
     * {@code /health} is UP) and misses nothing, rather than stay on a socket that stays silent.
     */
    public void closeReaderEnded() {
        close(WsCloseCodes.INTERNAL_ERROR, ResumeReason.of(ResumeReason.READER_ENDED, writtenPositions()));
    }

    /**
     * Closes the connection because a resume's catch-up failed after its answer went out, with 1013 and the positions
     * to resume from: the client comes back and reads the rest, rather than miss it while told it had everything.
     */
    public void closeCatchUpFailed() {
        close(WsCloseCodes.TRY_AGAIN_LATER, ResumeReason.of(ResumeReason.CATCH_UP_FAILED, writtenPositions()));
    }

    /** Whether the socket is still open for frames. */
    public boolean isOpen() {
        return !closing.get() && socket.isOpen();
    }

    /**
     * Whether a sender that can wait should send now: the outbox holds less than half its frames and less than half
     * its bytes, or the session closed (and sending costs nothing). Both, so that large history events cannot fill
     * the outbox by bytes and close the session they are sent to.
     */
    public boolean hasRoom() {
        return !isOpen() || outbox.lessThanHalfFull();
    }

    /**
     * Waits while half the outbox is taken. Senders that can wait (resumes and replays read from history) call it
     * before each frame, so that only live traffic can make a session overflow. Blocks: never call it on an I/O
     * thread or the fan-out thread.
     */
    public void awaitRoom() {
        waitingForRoom.incrementAndGet();
        try {
            synchronized (room) {
                while (!hasRoom()) {
                    room.wait(ROOM_WAIT_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waitingForRoom.decrementAndGet();
        }
    }

    /** Wakes the senders waiting for room; costs nothing when none waits, as on every live frame. */
    private void signalRoom() {
        if (waitingForRoom.get() > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    private void writeNext() {
        Outgoing next = outbox.poll();
        if (next != null) {
            WebSockets.sendText(ByteBuffer.wrap(next.bytes()), socket, onWritten, next);
        }
    }

    /**
     * A close or ping frame sent. Undertow finishes the close handshake itself, and a pong comes back as a sign of
     * life; a control frame that cannot be written means a broken socket, which is closed.
     */
    private final class ControlFrameSent implements WebSocketCallback<Void> {
        @Override
        public void complete(WebSocketChannel channel, Void context) {
            // The client answers: with its close frame, after which Undertow closes the socket, or with a pong.
        }

        @Override
        public void onError(WebSocketChannel channel, Void context, Throwable failure) {
            LOG.debug("Sending a control frame to session {} failed", id, failure);
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing session {} failed", id, e);
            }
        }
    }

    /** Runs on the I/O thread when Undertow wrote a frame. */
    private final class Written implements WebSocketCallback<Outgoing> {
        @Override
        public void complete(WebSocketChannel channel, Outgoing frame) {
            if (frame.channel() != null) {
                written.put(frame.channel(), frame.pos());
            }
            outbox.sent(frame);
            signalRoom();
            stats.frameOut(frame.bytes().length);
            writeNext();
        }

        @Override
        public void onError(WebSocketChannel channel, Outgoing frame, Throwable failure) {
            outbox.sent(frame);
            signalRoom();
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

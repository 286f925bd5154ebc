package io.agentrelay.relay.server;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.Opening;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.inbound.RequestRouter;
import io.agentrelay.relay.session.Admission;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import io.agentrelay.relay.session.SessionRegistry;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * One WebSocket endpoint speaking one dialect: opens a session per connection, sends the dialect's welcome, routes
 * each text frame, and cleans up on close. Callbacks run on Undertow's I/O threads and never block.
 */
final class WebSocketEndpoint implements WebSocketConnectionCallback {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);

    private final Dialect dialect;
    private final String nodeId;
    private final int maxFrameBytes;
    private final SessionRegistry sessions;
    private final EventFanout fanout;
    private final RequestRouter router;
    private final RelayStats stats;

    WebSocketEndpoint(Dialect dialect, RelayConfig config, SessionRegistry sessions, EventFanout fanout,
                      RequestRouter router, RelayStats stats) {
        this.dialect = dialect;
        this.nodeId = config.nodeId();
        this.maxFrameBytes = config.maxFrameBytes();
        this.sessions = sessions;
        this.fanout = fanout;
        this.router = router;
        this.stats = stats;
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        Grants grants = exchange.getAttachment(AuthHandler.GRANTS);
        if (grants == null) {
            // UpgradeAuthorization already refuses an upgrade without checked grants; never open one unchecked.
            WebSockets.sendClose(WsCloseCodes.POLICY_VIOLATION, "no token was checked", channel, new CloseAfterSend());
            return;
        }
        Admission admission = sessions.open(dialect, exchange.getAttachment(ResourcePath.RESOURCE), grants,
            owner(grants, channel), channel);
        if (admission instanceof Admission.Refused refused) {
            WebSockets.sendClose(refused.code(), refused.reason(), channel, new CloseAfterSend());
            return;
        }
        Session session = ((Admission.Admitted) admission).session();
        channel.addCloseTask(closed -> {
            sessions.remove(session);
            fanout.sessionClosed(session);
        });
        if (!fanout.isRunning()) {
            // Upgraded just as the reader ended, after the node closed the sessions it had: closed the same way.
            session.closeReaderEnded();
            return;
        }
        Opening opening = dialect.open(session.connection(), nodeId);
        if (opening instanceof Opening.Refuse refuse) {
            LOG.debug("Refused session {} on {}: {}", session.id(), dialect.name(), refuse.reason());
            WebSockets.sendClose(refuse.code(), refuse.reason(), channel, new CloseAfterSend());
            return;
        }
        if (session.grants().expiresAt() != null) {
            long untilExpiry = Math.max(0, Duration.between(Instant.now(), session.grants().expiresAt()).toMillis());
            channel.getIoThread().executeAfter(() -> session.close(WsCloseCodes.TOKEN_EXPIRED,
                "token expired; reconnect with a fresh token"), untilExpiry, TimeUnit.MILLISECONDS);
        }
        channel.getReceiveSetter().set(new Listener(session));
        Opening.Accept accept = (Opening.Accept) opening;
        session.send(accept.welcome());
        fanout.subscribe(session, session.privateChannel()).whenComplete((ignored, failure) ->
            session.replyRoute().complete(null));
        accept.requests().forEach(request -> router.handle(session, request));
        channel.resumeReceives();
    }

    /**
     * Whom a connection counts against: its token's subject; without authentication every client is anonymous, so
     * its remote address (behind a proxy, the proxy's).
     */
    private static String owner(Grants grants, WebSocketChannel channel) {
        if (!Principal.ANONYMOUS.subject().equals(grants.subject())) {
            return "sub:" + grants.subject();
        }
        return "addr:" + channel.getSourceAddress().getAddress().getHostAddress();
    }

    /** Ends a refused connection once its close frame is out, without waiting for the client's answer. */
    private static final class CloseAfterSend implements WebSocketCallback<Void> {
        @Override
        public void complete(WebSocketChannel channel, Void context) {
            IoUtils.safeClose(channel);
        }

        @Override
        public void onError(WebSocketChannel channel, Void context, Throwable failure) {
            IoUtils.safeClose(channel);
        }
    }

    /** Receives one connection's frames. */
    private final class Listener extends AbstractReceiveListener {
        private final Session session;

        Listener(Session session) {
            this.session = session;
        }

        @Override
        protected long getMaxTextBufferSize() {
            // Undertow closes the socket with 1009 when a text frame is larger.
            return maxFrameBytes;
        }

        @Override
        protected long getMaxBinaryBufferSize() {
            return maxFrameBytes;
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            router.onFrame(session, message.getData());
        }

        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            message.getData().free();
            stats.frameIn();
            stats.errorSent(ErrorCode.INVALID_REQUEST);
            session.send(dialect.error(ErrorCode.INVALID_REQUEST,
                "binary frames are not supported; send JSON text frames", null));
        }

        @Override
        protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            // The answer to the relay's ping frame: the client is alive, whether or not it sends anything.
            message.getData().free();
            session.heard();
        }

        @Override
        protected void onFullPingMessage(WebSocketChannel channel, BufferedBinaryMessage message) throws IOException {
            // Counted like any frame: Undertow queues a pong per ping outside the outbox, so a client that pings
            // without reading would otherwise grow the heap. A ping over the rate goes unanswered.
            if (!session.admitFrame()) {
                message.getData().free();
                return;
            }
            super.onFullPingMessage(channel, message);
        }

        @Override
        protected void onError(WebSocketChannel channel, Throwable error) {
            LOG.debug("Session {} failed", session.id(), error);
            super.onError(channel, error);
        }

        @Override
        protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
            LOG.debug("Session {} closed by the client: {} {}", session.id(), message.getCode(), message.getReason());
        }
    }
}

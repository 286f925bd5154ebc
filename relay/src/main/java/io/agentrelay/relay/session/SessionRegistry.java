package io.agentrelay.relay.session;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.FrameRate;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.undertow.websockets.core.WebSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions open on this node. Once a second it checks that each is alive ({@link Session#keepAlive()}): silent
 * connections get a WebSocket ping frame, and those that neither send nor answer are closed. Thread-safe.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ConnectionSlots slots;
    private final RelayConfig config;
    private final RelayStats stats;
    private final ScheduledExecutorService sweeper;

    /**
     * @param config outbox limits
     * @param stats  the node's counters
     */
    public SessionRegistry(RelayConfig config, RelayStats stats) {
        this.config = config;
        this.stats = stats;
        this.slots = new ConnectionSlots(config.maxConnections(), config.maxConnectionsPerSubject());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "session-sweeper-" + config.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::keepAlive, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Registers a new connection if the node and the connection's owner have a slot left; the check and the taking
     * are one step, so that connections arriving together cannot pass the limit.
     *
     * @param dialect  the endpoint's dialect
     * @param resource the id in the endpoint's path, or null
     * @param grants   what the client's token allows
     * @param owner    whom the connection counts against: its token's subject, or its remote address without one
     * @param socket   the WebSocket
     * @return the session with a fresh id, or why there is no room
     */
    public Admission open(Dialect dialect, String resource, Grants grants, String owner, WebSocketChannel socket) {
        switch (slots.take(owner)) {
            case NODE_FULL:
                stats.connectionRefused();
                return new Admission.Refused(dialect.refusalCloseCode(),
                    "connection limit of " + config.maxConnections() + " reached; try another node");
            case OWNER_FULL:
                stats.connectionRefused();
                // Not 1013: clients retry that on their own, and a retry fails as long as the subject's others stay.
                return new Admission.Refused(WsCloseCodes.POLICY_VIOLATION, "connection limit of "
                    + config.maxConnectionsPerSubject() + " per subject reached; close other connections first");
            default:
                break;
        }
        String id = UUID.randomUUID().toString();
        Session session = new Session(id, resource, dialect, grants, owner, socket, config.outboxMessages(),
            config.outboxBytes(), dialect.frameRate().orElse(FrameRate.perSecond(config.rateLimit())),
            config.pingInterval(), stats);
        sessions.put(id, session);
        stats.connectionOpened();
        return new Admission.Admitted(session);
    }

    /**
     * Forgets a closed connection and gives back its slot.
     *
     * @param session the session
     */
    public void remove(Session session) {
        if (sessions.remove(session.id()) != null) {
            slots.release(session.owner());
        }
    }

    /** Connections open now. */
    public int size() {
        return sessions.size();
    }

    /** Closes every connection with 1001 and its resume positions, as when the node shuts down. */
    public void closeAllGoingAway() {
        sessions.values().forEach(Session::closeGoingAway);
    }

    /** Stops the sweeper. */
    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    /**
     * @param dialect a dialect's name
     * @return connections of that dialect open now
     */
    public long count(String dialect) {
        return sessions.values().stream().filter(session -> session.dialect().name().equals(dialect)).count();
    }

    /** Frames waiting in every session's outbox now. */
    public long queuedFrames() {
        return sessions.values().stream().mapToLong(Session::queuedFrames).sum();
    }

    /**
     * Runs an action for every open session.
     *
     * @param action the action
     */
    public void forEach(Consumer<Session> action) {
        sessions.values().forEach(action);
    }

    /** One session's failure must not end the sweeper: a scheduled task that throws is never run again. */
    private void keepAlive() {
        for (Session session : sessions.values()) {
            try {
                session.keepAlive();
            } catch (RuntimeException e) {
                LOG.warn("Checking session {} failed", session.id(), e);
            }
        }
    }
}

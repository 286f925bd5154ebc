package io.agentrelay.relay.session;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.agentrelay.relay.dialect.Dialect;

/**
 * Tells a live connection from a dead one by the signs of life it gives: its frames, and the pongs that its WebSocket
 * sends back to the relay's ping frames by itself (browsers and WebSocket libraries answer those without application
 * code). So no client has to send or answer application heartbeats to stay connected; a dialect whose own server
 * sends some ({@link Dialect#pingAfter()}) still gets them sent, and a dialect whose server times out clients that
 * stopped pinging ({@link Dialect#pingTimeout()}) does so for those clients only.
 *
 * <p>Thread-safe: signs of life are noted on I/O threads, checks run on the sweeper.
 */
final class Liveness {

    /** Ping frames a connection may leave unanswered, while sending nothing, before it counts as dead. */
    private static final int MISSED_PINGS = 3;

    private final Dialect dialect;
    private final LongSupplier clock;
    private final long deadAfter;
    private final long probeAfter;
    private volatile long lastHeard;
    private volatile long lastProbe;
    private volatile long lastServerPing;
    private volatile long lastClientPing;
    private volatile boolean clientPinged;

    /**
     * @param dialect      the connection's dialect, for its own heartbeat rules
     * @param pingInterval the node's silence before a ping frame
     * @param clock        nanoseconds, as {@link System#nanoTime()}
     */
    Liveness(Dialect dialect, Duration pingInterval, LongSupplier clock) {
        this.dialect = dialect;
        this.clock = clock;
        // In nanoseconds: Duration.multipliedBy goes through BigDecimal, a cost on every new connection's I/O thread.
        this.deadAfter = dialect.silenceLimit() != null ? dialect.silenceLimit().toNanos()
            : pingInterval.toNanos() * MISSED_PINGS;
        // A dialect that allows less silence than the node gets its pings sooner, so that a live client is never
        // closed before it could answer one.
        this.probeAfter = Math.min(pingInterval.toNanos(), deadAfter / MISSED_PINGS);
        long now = clock.getAsLong();
        this.lastHeard = now;
        // No ping yet: the first is due once the connection has been silent for probeAfter.
        this.lastProbe = now - probeAfter - 1;
        this.lastServerPing = now;
    }

    /** Notes a sign of life: a frame or a pong. */
    void heard() {
        lastHeard = clock.getAsLong();
    }

    /** Notes an application ping of the client's, which also is a frame. */
    void clientPinged() {
        lastClientPing = clock.getAsLong();
        clientPinged = true;
    }

    /**
     * Why the connection is to be closed now, or null while it is alive. It is dead once silent for longer than its
     * limit with a ping frame unanswered: whatever the sweeper's pace, a live client always gets a ping, and time to
     * answer it, before it could be closed.
     */
    String closeReason() {
        long now = clock.getAsLong();
        long heard = lastHeard;
        long probed = lastProbe;
        if (now - heard > deadAfter && probed - heard > 0 && now - probed >= probeAfter) {
            return "heartbeat timeout: no frame and no pong for " + Duration.ofNanos(deadAfter).toMillis() + " ms";
        }
        Duration timeout = dialect.pingTimeout();
        if (timeout != null && clientPinged && now - lastClientPing > timeout.toNanos()) {
            return "heartbeat timeout: no ping for " + timeout.toMillis() + " ms";
        }
        return null;
    }

    /** Whether to send a ping frame now: the connection was silent for a while, and none was sent meanwhile. */
    boolean probeDue() {
        long now = clock.getAsLong();
        if (now - lastHeard > probeAfter && now - lastProbe > probeAfter) {
            lastProbe = now;
            return true;
        }
        return false;
    }

    /** Whether to send the dialect's own heartbeat frame now, for dialects whose server sends one. */
    boolean serverPingDue() {
        Duration after = dialect.pingAfter();
        long now = clock.getAsLong();
        if (after != null && now - lastHeard > after.toNanos() && now - lastServerPing > after.toNanos()) {
            lastServerPing = now;
            return true;
        }
        return false;
    }
}

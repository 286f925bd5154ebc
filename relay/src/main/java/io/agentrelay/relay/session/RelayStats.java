package io.agentrelay.relay.session;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one relay node, as {@code GET /stats} reports them. Thread-safe and cheap on the hot path. */
public final class RelayStats {

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder errorsSent = new LongAdder();
    private final LongAdder commandsPublished = new LongAdder();
    private final LongAdder commandsRejected = new LongAdder();
    private final LongAdder eventsConsumed = new LongAdder();
    private final LongAdder eventsDelivered = new LongAdder();
    private final LongAdder slowConsumersClosed = new LongAdder();

    /** A connection was opened. */
    public void connectionOpened() {
        connectionsOpened.increment();
    }

    /** A connection was refused because the node was full. */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** A frame arrived from a client. */
    public void frameIn() {
        framesIn.increment();
    }

    /** A frame was written to a client. */
    public void frameOut() {
        framesOut.increment();
    }

    /** An error frame was sent. */
    public void errorSent() {
        errorsSent.increment();
    }

    /** Kafka acknowledged a command. */
    public void commandPublished() {
        commandsPublished.increment();
    }

    /** A command was refused or failed before Kafka acknowledged it. */
    public void commandRejected() {
        commandsRejected.increment();
    }

    /** The fan-out read an event from Kafka. */
    public void eventConsumed() {
        eventsConsumed.increment();
    }

    /**
     * The fan-out handed an event to sessions.
     *
     * @param sessions how many
     */
    public void eventDelivered(int sessions) {
        eventsDelivered.add(sessions);
    }

    /** A session was closed because its outbox was full. */
    public void slowConsumerClosed() {
        slowConsumersClosed.increment();
    }

    /**
     * A consistent-enough snapshot for reporting.
     *
     * @param connections connections open now
     * @return the snapshot
     */
    public Snapshot snapshot(int connections) {
        return new Snapshot(connections, connectionsOpened.sum(), connectionsRefused.sum(), framesIn.sum(), framesOut.sum(), errorsSent.sum(),
            commandsPublished.sum(), commandsRejected.sum(), eventsConsumed.sum(), eventsDelivered.sum(),
            slowConsumersClosed.sum());
    }

    /**
     * The counters at one moment.
     *
     * @param connections         open now
     * @param connectionsOpened   opened since start
     * @param connectionsRefused  refused at the connection limit
     * @param framesIn            frames received
     * @param framesOut           frames written
     * @param errors              error frames sent
     * @param commandsPublished   commands Kafka acknowledged
     * @param commandsRejected    commands refused or failed
     * @param eventsConsumed      events read from Kafka
     * @param eventsDelivered     event frames handed to sessions
     * @param slowConsumersClosed sessions closed for a full outbox
     */
    public record Snapshot(int connections, long connectionsOpened, long connectionsRefused, long framesIn,
                           long framesOut, long errors, long commandsPublished, long commandsRejected,
                           long eventsConsumed, long eventsDelivered, long slowConsumersClosed) {
    }
}

package io.agentrelay.relay.session;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.agentrelay.common.protocol.ErrorCode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Counters of one relay node, as {@code GET /stats} reports them and {@code GET /metrics} exports them (Micrometer,
 * Prometheus names {@code relay_*}). Thread-safe and cheap on the hot path: the counters are adders that the registry
 * reads when scraped.
 */
public final class RelayStats {

    /** Commands timed at once; more are not timed, so that a flood cannot grow the map. */
    private static final int MAX_AWAITED = 10_000;

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder errorsSent = new LongAdder();
    private final LongAdder commandsPublished = new LongAdder();
    private final LongAdder commandsRejected = new LongAdder();
    private final LongAdder eventsConsumed = new LongAdder();
    private final LongAdder eventsDelivered = new LongAdder();
    private final LongAdder slowConsumersClosed = new LongAdder();
    private final Map<String, Long> awaitingFirstEvent = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer eventDelay;
    private final Timer commandToEvent;
    private final Timer recordDelay;

    /**
     * @param registry where the counters are exported
     */
    public RelayStats(MeterRegistry registry) {
        this.registry = registry;
        counter("relay.connections.opened", connectionsOpened, "connections accepted");
        counter("relay.connections.refused", connectionsRefused,
            "connections refused at the node's or a subject's connection limit");
        counter("relay.frames.received", framesIn, "frames received from clients");
        counter("relay.frames.sent", framesOut, "frames written to clients");
        counter("relay.bytes.received", bytesIn, "size of the text frames received from clients, in characters");
        counter("relay.bytes.sent", bytesOut, "bytes of frames written to clients");
        counter("relay.commands.published", commandsPublished, "commands Kafka acknowledged");
        counter("relay.commands.rejected", commandsRejected, "commands refused or failed before Kafka acknowledged");
        counter("relay.events.consumed", eventsConsumed, "events read from Kafka");
        counter("relay.events.delivered", eventsDelivered, "event frames handed to sessions");
        counter("relay.slow.consumers.closed", slowConsumersClosed, "sessions closed because their outbox was full");
        // Every labelled series exists from the start at 0, so that dashboards and alerts see rates, not gaps.
        for (ErrorCode code : ErrorCode.values()) {
            registry.counter("relay.errors", "code", code.name());
        }
        registry.counter("relay.resumes", "outcome", "recovered");
        registry.counter("relay.resumes", "outcome", "not_recovered");
        this.eventDelay = Timer.builder("relay.event.delay")
            .description("time from an event's publication by an executor to its fan-out on this relay")
            .publishPercentileHistogram()
            .register(registry);
        // Its record's time is when the executor sent it, just before its transaction's commit: with the executor's
        // transaction time, this tells the wait for the commit marker and the fetch from the rest of the event delay.
        this.recordDelay = Timer.builder("relay.event.record.delay")
            .description("time from an event's write to Kafka (its record's time) to its fan-out on this relay")
            .publishPercentileHistogram()
            .register(registry);
        this.commandToEvent = Timer.builder("relay.command.to.event")
            .description("time from a command's acceptance by Kafka to the first event of its entity on this relay")
            .publishPercentileHistogram()
            .register(registry);
    }

    private void counter(String name, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    /** A connection was opened. */
    public void connectionOpened() {
        connectionsOpened.increment();
    }

    /** A connection was refused at a connection limit: the node's, or its subject's. */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** A frame arrived from a client. */
    public void frameIn() {
        framesIn.increment();
    }

    /**
     * A frame was written to a client.
     *
     * @param bytes its size
     */
    public void frameOut(int bytes) {
        framesOut.increment();
        bytesOut.add(bytes);
    }

    /**
     * A text frame arrived; counted with {@link #frameIn()}.
     *
     * @param chars its length
     */
    public void bytesIn(int chars) {
        bytesIn.add(chars);
    }

    /**
     * An error frame was sent.
     *
     * @param code its code
     */
    public void errorSent(ErrorCode code) {
        errorsSent.increment();
        registry.counter("relay.errors", "code", code.name()).increment();
    }

    /**
     * A resume was answered.
     *
     * @param recovered whether every event after its position was still there
     */
    public void resumed(boolean recovered) {
        registry.counter("relay.resumes", "outcome", recovered ? "recovered" : "not_recovered").increment();
    }

    /**
     * Kafka accepted a command that its entity's channel will answer with events; the first of them is timed.
     *
     * @param channel the entity's channel
     */
    public void commandAccepted(String channel) {
        if (awaitingFirstEvent.size() < MAX_AWAITED) {
            awaitingFirstEvent.putIfAbsent(channel, System.nanoTime());
        }
    }

    /**
     * An event reached the fan-out.
     *
     * @param channel     its channel
     * @param publishedAt when its executor published it
     * @param writtenAt   when it was written to Kafka: its record's time, in epoch milliseconds
     */
    public void eventArrived(String channel, Instant publishedAt, long writtenAt) {
        // Per event on the fan-out thread: milliseconds, with no Instant or Duration allocated.
        long now = System.currentTimeMillis();
        eventDelay.record(now - publishedAt.toEpochMilli(), TimeUnit.MILLISECONDS);
        recordDelay.record(Math.max(0, now - writtenAt), TimeUnit.MILLISECONDS);
        if (!awaitingFirstEvent.isEmpty()) {
            Long acceptedAt = awaitingFirstEvent.remove(channel);
            if (acceptedAt != null) {
                commandToEvent.record(System.nanoTime() - acceptedAt, TimeUnit.NANOSECONDS);
            }
        }
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
     * @param connectionsRefused  refused at a connection limit (the node's or a subject's)
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

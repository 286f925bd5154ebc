package io.agentrelay.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Position;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of Agent Relay that survives relay nodes going away. It connects to one of its endpoints, subscribes with
 * handlers, and sends requests; when the connection drops it reconnects with exponential backoff and jitter, trying
 * the endpoints in turn, and resumes every channel from the last event its handler received, so that each event
 * reaches the handler once and in order. It pings the relay to notice a connection that ended without the client
 * being told ({@link Builder#pingInterval}).
 *
 * <pre>{@code
 * try (RelayClient client = RelayClient.builder()
 *         .endpoints(List.of(URI.create("ws://relay-1:8080/ws"), URI.create("ws://relay-2:8080/ws")))
 *         .build()) {
 *     client.connect();
 *     client.subscribe("workflow:wf-1", event -> System.out.println(event.event())).get(5, TimeUnit.SECONDS);
 *     client.request("execute_workflow", workflow).get(5, TimeUnit.SECONDS);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Requests fail fast while disconnected; subscriptions persist across reconnects until
 * {@link #unsubscribe} or {@link #close}.
 */
public final class RelayClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayClient.class);

    /** The close code the client uses when it drops a connection that did not answer its ping. */
    public static final int PING_UNANSWERED = 4002;

    private final List<URI> endpoints;
    private final Duration requestTimeout;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration pingInterval;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reconnector;
    private final AtomicInteger nextEndpoint = new AtomicInteger();
    private final LongAdder repeatsDropped = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private volatile RelayConnection connection;
    private volatile boolean closed;
    /** Guards {@link #closed} against a connection being attached at the same time. */
    private final Object attaching = new Object();

    private RelayClient(Builder builder) {
        this.endpoints = List.copyOf(builder.endpoints);
        this.requestTimeout = builder.requestTimeout;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.pingInterval = builder.pingInterval;
        this.reconnector = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "relay-client-reconnect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts configuring a client.
     *
     * @return a builder; {@link Builder#endpoints} is required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to the first endpoint that answers, trying each once.
     *
     * @throws IOException           when none does; the client stays usable and {@link #connect()} may be called
     *                               again
     * @throws IllegalStateException when the client is closed, before or while connecting
     */
    public synchronized void connect() throws IOException {
        IOException last = null;
        for (int i = 0; i < endpoints.size(); i++) {
            requireOpen();
            RelayConnection fresh;
            try {
                fresh = RelayConnection.connect(endpoint(), requestTimeout);
            } catch (IOException e) {
                last = e;
                continue;
            }
            if (!attach(fresh)) {
                throw new IllegalStateException("the client was closed while connecting");
            }
            return;
        }
        throw new IOException("no relay answered at " + endpoints, last);
    }

    /**
     * Whether a connection is open now.
     *
     * @return false before {@link #connect()}, while reconnecting and after {@link #close()}
     */
    public boolean isConnected() {
        RelayConnection current = connection;
        return current != null && !current.closed().isDone();
    }

    /**
     * Subscribes to a channel; after a reconnect the subscription resumes where the handler's last event left off.
     * {@code global} (every channel's events, where the token allows it) is live only: after a reconnect it starts
     * again with new events, and the handler's {@link ChannelHandler#onResumed} says so.
     *
     * @param channel {@code <namespace>:<id>} or {@code global}
     * @param handler receives the channel's events
     * @return the relay's response; fails with {@link RelayErrorException} when the relay refuses the subscription,
     *     which is then not kept (subscribing again is allowed)
     * @throws IllegalStateException before {@link #connect()}
     */
    public CompletableFuture<Envelope> subscribe(String channel, ChannelHandler handler) {
        return subscribe(channel, null, handler);
    }

    /**
     * Subscribes to a channel from a position: the channel's events after it come first, then live ones.
     *
     * @param channel {@code <namespace>:<id>}
     * @param since   the {@code pos} of the last event already seen, or null for only new events
     * @param handler receives the channel's events
     * @return the relay's response; its {@code recovered} says whether the relay could start right after
     *     {@code since}. Fails with {@link RelayErrorException} when the relay refuses the subscription, which is
     *     then not kept (subscribing again is allowed)
     * @throws IllegalStateException before {@link #connect()}
     */
    public CompletableFuture<Envelope> subscribe(String channel, String since, ChannelHandler handler) {
        RelayConnection on = current();
        Subscription subscription = new Subscription(channel, handler);
        subscription.lastPos = since;
        if (subscriptions.putIfAbsent(channel, subscription) != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("already subscribed to " + channel));
        }
        return subscription.subscribe(on, false).whenComplete((response, failure) -> {
            if (failure != null) {
                subscriptions.remove(channel, subscription);
            }
        });
    }

    /**
     * Stops a subscription.
     *
     * @param channel the channel
     * @return the relay's response
     */
    public CompletableFuture<Envelope> unsubscribe(String channel) {
        subscriptions.remove(channel);
        return current().request("unsubscribe", Json.object().put("channel", channel));
    }

    /**
     * Sends a request on the current connection.
     *
     * @param name the request name
     * @param data its fields
     * @return the response; fails at once with an {@link IOException} while disconnected
     */
    public CompletableFuture<Envelope> request(String name, JsonNode data) {
        return request(UUID.randomUUID().toString(), name, data);
    }

    /**
     * Sends a request with an id of the caller's choosing, so that a retry (after a timeout or a reconnect) is the
     * same command: with an authenticated token, executors carry it out once however often it is sent.
     *
     * @param id   the request id
     * @param name the request name
     * @param data its fields
     * @return the response; fails at once with an {@link IOException} while disconnected
     */
    public CompletableFuture<Envelope> request(String id, String name, JsonNode data) {
        RelayConnection current = connection;
        if (current == null || current.closed().isDone()) {
            return CompletableFuture.failedFuture(new IOException("not connected; reconnecting"));
        }
        return current.request(id, name, data);
    }

    /**
     * How many times the client reconnected after losing its connection.
     *
     * @return the count since the client was built
     */
    public long reconnects() {
        return reconnects.sum();
    }

    /**
     * How many events arrived again after a resume and were not handed to a handler a second time.
     *
     * @return the count since the client was built
     */
    public long repeatsDropped() {
        return repeatsDropped.sum();
    }

    /**
     * Where a subscription resumes from after a reconnect.
     *
     * @param channel the channel
     * @return the {@code pos} of the last event its handler received (or the channel's position when it was
     *     subscribed); empty when the channel is not subscribed or has no position yet
     */
    public Optional<String> lastPosition(String channel) {
        Subscription subscription = subscriptions.get(channel);
        return subscription == null ? Optional.empty() : Optional.ofNullable(subscription.lastPos);
    }

    /**
     * Stops reconnecting and closes the connection. A connect or reconnect under way when it is called closes what it
     * opens instead of using it.
     */
    @Override
    public void close() {
        RelayConnection current;
        synchronized (attaching) {
            closed = true;
            current = connection;
        }
        reconnector.shutdownNow();
        if (current != null) {
            current.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
    }

    private RelayConnection current() {
        RelayConnection current = connection;
        if (current == null) {
            throw new IllegalStateException("call connect() first");
        }
        return current;
    }

    private URI endpoint() {
        return endpoints.get(Math.floorMod(nextEndpoint.getAndIncrement(), endpoints.size()));
    }

    /** Makes a new connection the client's, unless the client was closed meanwhile: then it closes it. */
    private boolean attach(RelayConnection fresh) {
        synchronized (attaching) {
            if (!closed) {
                fresh.addListener(this::route);
                connection = fresh;
            }
        }
        if (connection != fresh) {
            fresh.close();
            return false;
        }
        fresh.closed().whenComplete((status, failure) -> {
            if (!closed && connection == fresh) {
                LOG.info("Connection lost ({}); reconnecting", status);
                scheduleReconnect(0);
            }
        });
        schedulePing(fresh);
        return true;
    }

    /**
     * Liveness: a relay gone without a close (a network gone, or a close that the JDK's WebSocket missed) leaves the
     * connection looking open, and its subscriptions silently get nothing. A ping the relay answers, even with an
     * error, shows it is there, and so does any frame received after it; a ping unanswered within the request timeout
     * with nothing else received meanwhile, or that cannot be sent, drops the connection, and the reconnect resumes
     * every subscription.
     */
    private void schedulePing(RelayConnection on) {
        if (pingInterval.isZero()) {
            return;
        }
        try {
            reconnector.schedule(() -> ping(on), pingInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Client closed; not pinging");
        }
    }

    private void ping(RelayConnection on) {
        if (closed || connection != on || on.closed().isDone()) {
            return;
        }
        long sent = System.nanoTime();
        on.request("ping", Json.object()).whenComplete((pong, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            // Frames arriving since the ping show the relay there: its answer waits behind frames that the handlers
            // have not taken yet (a backlog, slow handlers), and dropping the connection would only bring them again.
            if (cause == null || cause instanceof RelayErrorException
                || cause instanceof TimeoutException && on.heardFromSince(sent)) {
                schedulePing(on);
            } else if (!closed && !on.closed().isDone()) {
                LOG.warn("No answer to a ping within {} ms ({}); dropping the connection", requestTimeout.toMillis(),
                    cause.toString());
                on.abort(PING_UNANSWERED, "no answer to ping");
            }
        });
    }

    private void scheduleReconnect(int attempt) {
        long cap = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt, 20));
        // Equal jitter: at least half the backoff, so that a fleet of clients does not return in lockstep.
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        try {
            reconnector.schedule(() -> reconnect(attempt), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Client closed; not reconnecting");
        }
    }

    private void reconnect(int attempt) {
        if (closed) {
            return;
        }
        URI uri = endpoint();
        try {
            RelayConnection fresh = RelayConnection.connect(uri, requestTimeout);
            if (!attach(fresh)) {
                return;
            }
            // Counted before any event of the new connection reaches a handler, which can tell connections apart.
            reconnects.increment();
            subscriptions.values().forEach(subscription -> subscription.subscribe(fresh, true));
            LOG.info("Reconnected to {}", uri);
        } catch (IOException e) {
            LOG.debug("Reconnecting to {} failed (attempt {})", uri, attempt + 1, e);
            scheduleReconnect(attempt + 1);
        }
    }

    private void route(Envelope frame) {
        if (!Envelope.EVENT.equals(frame.type()) || frame.room() == null || Boolean.TRUE.equals(frame.replayed())) {
            return;
        }
        Subscription subscription = subscriptions.get(frame.room());
        if (subscription == null) {
            // Events of channels not followed one by one come from the global firehose, if the client follows it.
            subscription = subscriptions.get(Channel.GLOBAL_NAME);
        }
        if (subscription != null) {
            subscription.deliver(frame);
        }
    }

    /** One channel's handler and how far it got. */
    private final class Subscription {
        private final String channel;
        private final boolean global;
        private final ChannelHandler handler;
        private final Map<String, Long> lastOffsets = new ConcurrentHashMap<>();
        private volatile String lastPos;

        Subscription(String channel, ChannelHandler handler) {
            this.channel = channel;
            this.global = Channel.GLOBAL_NAME.equals(channel);
            this.handler = handler;
        }

        CompletableFuture<Envelope> subscribe(RelayConnection on, boolean resuming) {
            ObjectNode data = Json.object().put("channel", channel);
            // The firehose has no single position to resume from: it starts again with live events.
            String since = global ? null : lastPos;
            if (since != null) {
                data.put("since", since);
            }
            return on.request("subscribe", data).whenComplete((response, failure) -> {
                if (failure != null) {
                    if (resuming) {
                        resubscribeFailed(failure instanceof CompletionException ? failure.getCause() : failure);
                    }
                    return;
                }
                boolean recovered = response.data().path("recovered").asBoolean(since == null);
                if (since != null && !recovered) {
                    // What follows may start before the old position (a position ahead of the partition's end is
                    // answered from that end): every event from here on is new to this handler.
                    lastPos = null;
                }
                if (lastPos == null && response.data().hasNonNull("pos")) {
                    lastPos = response.data().get("pos").asText();
                }
                if (resuming && global) {
                    handler.onResumed(false, "global cannot resume: events published while disconnected are missed");
                } else if (resuming) {
                    handler.onResumed(recovered, response.data().path("reason").asText(null));
                }
            });
        }

        /**
         * A refusal (the new relay's limits or the token no longer allow the channel) ends the subscription and tells
         * the handler; it would be refused again after every reconnect. Anything else (the relay busy, the connection
         * lost) is tried again after the next reconnect.
         */
        private void resubscribeFailed(Throwable failure) {
            if (failure instanceof RelayErrorException refusal
                && !refusal.code().map(ErrorCode::retriable).orElse(false)) {
                if (subscriptions.remove(channel, this)) {
                    LOG.warn("Subscribing again to {} was refused; the subscription ends: {}", channel,
                        refusal.getMessage());
                    handler.onRefused(refusal);
                }
                return;
            }
            LOG.warn("Subscribing again to {} failed; trying again after the next reconnect", channel, failure);
        }

        /** Called on the connection's receiving thread. */
        void deliver(Envelope event) {
            if (global) {
                if (!firstOnFirehose(event)) {
                    repeatsDropped.increment();
                    return;
                }
                handler.onEvent(event);
                return;
            }
            if (event.pos() != null && lastPos != null && !isAfter(event.pos(), lastPos)) {
                repeatsDropped.increment();
                return;
            }
            if (event.pos() != null) {
                lastPos = event.pos();
            }
            handler.onEvent(event);
        }

        /**
         * Whether a firehose event is new: a relay reached after a reconnect may be a little behind the one before and
         * send again what the handler had. Positions compare only within one namespace's partition.
         */
        private boolean firstOnFirehose(Envelope event) {
            if (event.pos() == null || event.room() == null) {
                return true;
            }
            try {
                Position position = Position.decode(event.pos());
                String partition = event.room().substring(0, Math.max(0, event.room().indexOf(':'))) + '/'
                    + position.incarnation() + '/' + position.partition();
                long last = lastOffsets.getOrDefault(partition, -1L);
                if (position.offset() <= last) {
                    return false;
                }
                lastOffsets.put(partition, position.offset());
                return true;
            } catch (RuntimeException e) {
                return true;
            }
        }

        private boolean isAfter(String pos, String than) {
            try {
                Position next = Position.decode(pos);
                Position last = Position.decode(than);
                return !next.incarnation().equals(last.incarnation()) || next.partition() != last.partition()
                    || next.offset() > last.offset();
            } catch (RuntimeException e) {
                return true;
            }
        }
    }

    /** Settings of a {@link RelayClient}. */
    public static final class Builder {
        private List<URI> endpoints = List.of();
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * @param endpoints relay URLs such as {@code ws://relay-1:8080/ws}, tried in turn
         * @return this builder
         */
        public Builder endpoints(List<URI> endpoints) {
            if (endpoints == null || endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            this.endpoints = List.copyOf(endpoints);
            return this;
        }

        /**
         * @param requestTimeout how long connecting, each request and each ping's answer may take; default 10 s
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive("requestTimeout", requestTimeout);
            return this;
        }

        /**
         * @param initial the first reconnect delay, doubled per failed attempt; default 100 ms
         * @param max     the longest delay; default 30 s
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive("initial backoff", initial);
            this.maxBackoff = positive("max backoff", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is shorter than initial backoff " + initial);
            }
            return this;
        }

        /**
         * How often the client pings the relay while connected. A connection whose ping gets no answer within the
         * request timeout, and that received no other frame meanwhile, is dropped with close code
         * {@link #PING_UNANSWERED} and the client reconnects: a relay that vanished without closing the socket, or
         * whose close the JDK's WebSocket missed, is noticed within this interval plus the request timeout.
         *
         * @param pingInterval the interval; default 30 s; {@link Duration#ZERO} turns pinging off
         * @return this builder
         */
        public Builder pingInterval(Duration pingInterval) {
            Objects.requireNonNull(pingInterval, "pingInterval");
            if (pingInterval.isNegative()) {
                throw new IllegalArgumentException("pingInterval must not be negative, but was " + pingInterval);
            }
            this.pingInterval = pingInterval;
            return this;
        }

        /**
         * Builds the client; call {@link RelayClient#connect()} next.
         *
         * @return a client, not connected yet
         * @throws IllegalStateException when no endpoints were given
         */
        public RelayClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("endpoints are required");
            }
            return new RelayClient(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
            return value;
        }
    }
}

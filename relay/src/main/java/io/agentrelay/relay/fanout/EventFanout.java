package io.agentrelay.relay.fanout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.topic.Partitions;
import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one event consumer. It reads the event partitions that its sessions' channels hash to (interest-based
 * assignment, no consumer group), and each for a while after its last subscriber left; it starts at the end when a
 * partition is wanted again, and hands each event to the sessions subscribed to its channel, or to {@code global}.
 *
 * <p>Every event partition stays assigned and those that nobody wants are paused ({@link ReadingPlan}), so that a
 * subscription to a partition not read yet costs one offset lookup and at most one short fetch wait, and no fetch of
 * the partitions already read is interrupted or delayed by it.
 *
 * <p>An event is parsed only when someone on this node wants it, encoded once per dialect, and the same bytes go to
 * every subscriber of that dialect. The consumer lives on one thread of its own; other threads talk to it through a
 * queue and {@link KafkaConsumer#wakeup()}.
 */
public final class EventFanout implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventFanout.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(5);
    /*
     * A partition that starts being read joins the next fetch, once the one in flight returns: the broker holds an
     * empty fetch for up to this long. Kafka's default of 500 ms made a fresh channel's first event wait that long;
     * 10 ms costs at most 100 empty fetches a second while nothing happens, and nothing under load, where fetches
     * return as soon as events are there.
     */
    private static final int FETCH_MAX_WAIT_MS = 10;
    /** How long a partition is still read after its last subscriber left, for the next subscriber to find it read. */
    private static final Duration LINGER = Duration.ofSeconds(30);
    private static final String CONN_PREFIX = Namespace.CONN.wireName() + ":";

    private final Topics topics;
    private final Map<String, TopicInfo> eventTopics;
    private final SubscriptionIndex index;
    private final ReadingPlan plan = new ReadingPlan(LINGER.toNanos());
    private final Set<TopicPartition> eventPartitions;
    // Its own refresh thread: closed with the fan-out.
    private volatile KafkaClientMetrics clientMetrics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final RelayStats stats;
    private final ObjectReader eventReader = Json.readerFor(Event.class);
    private final BlockingQueue<AssignmentRequest> assignmentRequests = new LinkedBlockingQueue<>();
    private final Queue<ReadWaiter> readWaiters = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;

    /**
     * @param settings    how to reach Kafka, and topic names
     * @param eventTopics the event topics as described at start: incarnation and partition count
     * @param nodeId      this node's id, for the consumer's client id
     * @param stats       the node's counters
     */
    public EventFanout(KafkaSettings settings, Map<String, TopicInfo> eventTopics, String nodeId, RelayStats stats) {
        this.topics = settings.topics();
        this.eventTopics = Map.copyOf(eventTopics);
        this.stats = stats;
        this.eventPartitions = partitionsOf(EnumSet.allOf(Namespace.class));
        this.index = new SubscriptionIndex(this::partitionOf, partitionsOf(EnumSet.complementOf(
            EnumSet.of(Namespace.CONN))));
        this.consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ConsumerConfig.CLIENT_ID_CONFIG, nodeId + "-events",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS,
            // Executors write events in transactions; aborted steps must never reach a client.
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "fanout-" + nodeId);
    }

    /** Starts the consumer thread. */
    public void start() {
        thread.start();
    }

    /**
     * Subscribes a session to a channel. Events of the channel published after the returned future completes are
     * delivered to the session; the relay answers {@code subscribe} only then. A scoped channel's events reach the
     * session through {@link Session#deliver}, so the session must {@link Session#follow} it first.
     *
     * @param session the session
     * @param channel the channel
     * @return completes when the channel's partition is being read from a known position, with the position from
     *     which on this node delivers the channel's events; empty for {@code global}, or when Kafka did not tell
     */
    public CompletableFuture<Optional<Position>> subscribe(Session session, Channel channel) {
        index.add(channel, session);
        return requestAssignment(channel instanceof Channel.Scoped scoped ? partitionOf(scoped) : null);
    }

    /**
     * The partition and incarnation that hold a channel's events.
     *
     * @param channel the channel
     * @return where its events are
     */
    public ChannelLocation locate(Channel.Scoped channel) {
        TopicPartition partition = partitionOf(channel);
        return new ChannelLocation(partition, eventTopics.get(partition.topic()).incarnation());
    }

    /**
     * Every partition that holds events of some namespaces, for reads of a whole namespace or of {@code global}.
     *
     * @param namespaces the namespaces
     * @return where their events are, topic by topic, partition by partition
     */
    public List<ChannelLocation> locateAll(Set<Namespace> namespaces) {
        List<ChannelLocation> locations = new ArrayList<>();
        for (Namespace namespace : namespaces) {
            TopicInfo info = eventTopics.get(topics.events(namespace));
            for (int p = 0; p < info.partitions(); p++) {
                locations.add(new ChannelLocation(new TopicPartition(info.name(), p), info.incarnation()));
            }
        }
        return locations;
    }

    /**
     * Stops delivering a channel to a session.
     *
     * @param session the session
     * @param channel the channel
     */
    public void unsubscribe(Session session, Channel channel) {
        index.remove(channel, session);
        requestAssignment(null);
    }

    /**
     * Forgets a closed session's subscriptions, its private channel included.
     *
     * @param session the session
     */
    public void sessionClosed(Session session) {
        index.remove(session.privateChannel(), session);
        for (Channel channel : session.subscriptions()) {
            index.remove(channel, session);
        }
        requestAssignment(null);
    }

    /**
     * Exports the fan-out consumer's own metrics (fetch rates, lag per partition).
     *
     * @param registry where to
     */
    public void bindMetrics(MeterRegistry registry) {
        clientMetrics = new KafkaClientMetrics(consumer);
        clientMetrics.bindTo(registry);
    }

    /**
     * @param channel a channel
     * @return whether a session on this node receives its events, directly or through {@code global}
     */
    public boolean hasSubscribers(Channel.Scoped channel) {
        return !index.subscribers(channel.name()).isEmpty() || !index.globalSubscribers().isEmpty();
    }

    /**
     * Completes, on the fan-out thread, once this node handed every event of a partition before an offset to the
     * sessions that want it, or once it no longer reads the partition: what is sent on completion reaches those
     * sessions after those events.
     *
     * @param partition an event partition
     * @param offset    the offset
     * @return completes when the partition is read up to the offset, or not read
     */
    public CompletableFuture<Void> whenRead(TopicPartition partition, long offset) {
        ReadWaiter waiter = new ReadWaiter(partition, offset, new CompletableFuture<>());
        // No wakeup: the loop checks the waiters after every poll, and a wakeup would interrupt position lookups.
        readWaiters.add(waiter);
        return waiter.done();
    }

    /** Channels with at least one subscriber on this node. */
    public int channelCount() {
        return index.channelCount();
    }

    /** Stops the consumer thread and closes the consumer. */
    @Override
    public void close() {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        if (closed.compareAndSet(false, true)) {
            consumer.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<Optional<Position>> requestAssignment(TopicPartition partition) {
        AssignmentRequest request = new AssignmentRequest(partition, new CompletableFuture<>());
        assignmentRequests.add(request);
        consumer.wakeup();
        return request.done();
    }

    private void run() {
        List<AssignmentRequest> waiting = new ArrayList<>();
        try {
            // Assigned once, paused until wanted: the consumer learns every event topic's leaders now, not when a
            // subscriber waits for a partition.
            consumer.assign(eventPartitions);
            consumer.pause(eventPartitions);
            while (!closed.get()) {
                try {
                    for (AssignmentRequest request; (request = assignmentRequests.poll()) != null; ) {
                        waiting.add(request);
                    }
                    if (!waiting.isEmpty() || plan.stopDue(System.nanoTime())) {
                        syncReading();
                        waiting.forEach(this::completeWithLiveStart);
                        waiting.clear();
                    }
                    releaseReadWaiters();
                    if (!plan.readsAny()) {
                        // Nobody on this node listens to anything: wait for a subscription instead of polling.
                        AssignmentRequest request = assignmentRequests.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                        if (request != null) {
                            waiting.add(request);
                        }
                    } else {
                        dispatch(consumer.poll(POLL));
                        releaseReadWaiters();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (WakeupException e) {
                    // A new assignment request, or close: the loop looks at both.
                } catch (KafkaException e) {
                    LOG.warn("Reading events failed; retrying", e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Event fan-out stopped unexpectedly", e);
            throw e;
        } finally {
            waiting.forEach(request -> request.done().complete(Optional.empty()));
            assignmentRequests.forEach(request -> request.done().complete(Optional.empty()));
            readWaiters.forEach(waiter -> waiter.done().complete(null));
            consumer.close();
        }
    }

    /**
     * Runs on the consumer thread. A partition starts at its end, so that nothing published while nobody here
     * wanted it is sent; one that stays read keeps its position, so that its subscribers miss nothing and get
     * nothing twice. The plan learns of a change only once the consumer made it, and the consumer pauses only after
     * the calls that a wakeup can interrupt: an interrupted change is left whole to the next call, never half made
     * (a partition paused while the plan still counts it as read would stay silent for its next subscribers).
     */
    private void syncReading() {
        ReadingPlan.Change change = plan.update(index.wantedPartitions(), System.nanoTime());
        if (change.isEmpty()) {
            return;
        }
        if (!change.start().isEmpty()) {
            consumer.seekToEnd(change.start());
            for (TopicPartition partition : change.start()) {
                try {
                    // Fixes the start now, so that every event published after the subscribe response is delivered.
                    consumer.position(partition, POSITION_TIMEOUT);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.warn("Could not find the end of {} within {} ms; it is read from the end once Kafka answers",
                        partition, POSITION_TIMEOUT.toMillis());
                }
            }
            consumer.resume(change.start());
        }
        consumer.pause(change.stop());
        plan.applied(change);
        LOG.debug("Reading {} more and {} fewer event partitions", change.start().size(), change.stop().size());
    }

    /** Runs on the consumer thread, once the request's partition is read. */
    private void completeWithLiveStart(AssignmentRequest request) {
        TopicPartition partition = request.partition();
        if (partition == null || !plan.reads(partition)) {
            request.done().complete(Optional.empty());
            return;
        }
        Optional<Position> liveStart = Optional.empty();
        try {
            liveStart = Optional.of(Position.before(eventTopics.get(partition.topic()).incarnation(),
                partition.partition(), consumer.position(partition, POSITION_TIMEOUT)));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("No position for {} yet", partition);
        }
        request.done().complete(liveStart);
    }

    /** Runs on the consumer thread, after each dispatch: a consumer's position passes only what was dispatched. */
    private void releaseReadWaiters() {
        readWaiters.removeIf(waiter -> {
            boolean read;
            try {
                read = !plan.reads(waiter.partition())
                    || consumer.position(waiter.partition(), Duration.ZERO) >= waiter.offset();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Its start is not known yet, so nothing of it was dispatched.
                read = false;
            }
            if (read) {
                waiter.done().complete(null);
            }
            return read;
        });
    }

    /** Runs on the consumer thread. */
    private void dispatch(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            stats.eventConsumed();
            String channel = record.key();
            if (channel == null || record.value() == null) {
                continue;
            }
            // A connection's private channel carries replies: never part of global, never filtered or deduped.
            boolean privateChannel = channel.startsWith(CONN_PREFIX);
            Set<Session> direct = index.subscribers(channel);
            Set<Session> global = privateChannel ? Set.of() : index.globalSubscribers();
            if (direct.isEmpty() && global.isEmpty()) {
                continue;
            }
            Event event;
            try {
                event = eventReader.readValue(record.value());
            } catch (IOException | RuntimeException e) {
                LOG.error("Skipping unreadable event at {}-{} offset {}", record.topic(), record.partition(),
                    record.offset(), e);
                continue;
            }
            stats.eventArrived(channel, event.ts(), record.timestamp());
            EncodedEvent encoded = new EncodedEvent(event, new Position(eventTopics.get(record.topic()).incarnation(),
                record.partition(), record.offset()));
            String pos = encoded.position().encode();
            int delivered = 0;
            for (Session session : direct) {
                byte[] frame = privateChannel || session.wants(event) ? encoded.bytesFor(session.dialect()) : null;
                if (frame == null) {
                    continue;
                }
                if (privateChannel) {
                    session.send(frame);
                } else {
                    session.deliver(channel, record.offset(), pos, frame);
                    sendTrailer(session, encoded);
                }
                delivered++;
            }
            for (Session session : global) {
                byte[] frame = !direct.contains(session) && session.wants(event)
                    ? encoded.bytesFor(session.dialect()) : null;
                if (frame != null) {
                    session.send(frame);
                    sendTrailer(session, encoded);
                    delivered++;
                }
            }
            stats.eventDelivered(delivered);
        }
    }

    private static void sendTrailer(Session session, EncodedEvent encoded) {
        byte[] trailer = encoded.trailerFor(session.dialect());
        if (trailer != null) {
            session.send(trailer);
        }
    }

    private TopicPartition partitionOf(Channel.Scoped channel) {
        String topic = topics.events(channel.namespace());
        return new TopicPartition(topic, Partitions.forKey(channel.name(), eventTopics.get(topic).partitions()));
    }

    private Set<TopicPartition> partitionsOf(Set<Namespace> namespaces) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Namespace namespace : namespaces) {
            TopicInfo info = eventTopics.get(topics.events(namespace));
            for (int p = 0; p < info.partitions(); p++) {
                partitions.add(new TopicPartition(info.name(), p));
            }
        }
        return Set.copyOf(partitions);
    }

    /** A wish to know when a partition is read up to an offset. */
    private record ReadWaiter(TopicPartition partition, long offset, CompletableFuture<Void> done) {
    }

    /** A wish for the assignment to be brought up to date, and for the live start of one partition. */
    private record AssignmentRequest(TopicPartition partition, CompletableFuture<Optional<Position>> done) {
    }
}

package io.agentrelay.relay.fanout;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

/**
 * The node's event fan-out: the channels its sessions subscribe to, read from Kafka and handed to those sessions, or
 * to those subscribed to {@code global}. It joins two pieces that know nothing of each other, as Centrifuge's node
 * joins its broker and its hub: the {@link EventSource} reads the event partitions (assignment, positions), the
 * {@link EventHub} delivers what it reads (subscription index, filters, encoding), and the source learns through
 * the {@link Dispatcher} interface which partitions the hub wants.
 *
 * <p>Threads: every method may be called from any thread. Events are delivered on the source's one consumer thread,
 * and the futures returned here complete on it.
 */
public final class EventFanout implements AutoCloseable {

    /** What a client is told when it wants events from a node whose reader has ended. */
    public static final String READER_ENDED =
        "this relay no longer reads events (it is stopping, or its event reader failed); connect to another relay";

    private final ChannelPartitions partitions;
    private final EventHub hub;
    private final EventSource source;

    /**
     * @param settings    how to reach Kafka, and topic names
     * @param eventTopics the event topics as described at start: incarnation and partition count
     * @param nodeId      this node's id, for the consumer's client id
     * @param stats       the node's counters
     */
    public EventFanout(KafkaSettings settings, Map<String, TopicInfo> eventTopics, String nodeId, RelayStats stats) {
        this.partitions = new ChannelPartitions(settings.topics(), eventTopics);
        this.hub = new EventHub(partitions, stats);
        this.source = new EventSource(settings, partitions, nodeId, stats::eventConsumed, hub);
    }

    /** Starts the consumer thread. */
    public void start() {
        source.start();
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
        hub.add(channel, session);
        if (channel instanceof Channel.Scoped scoped) {
            return source.liveStart(partitions.partitionOf(scoped));
        }
        return source.followInterest().thenApply(ignored -> Optional.empty());
    }

    /**
     * The partition and incarnation that hold a channel's events.
     *
     * @param channel the channel
     * @return where its events are
     */
    public ChannelLocation locate(Channel.Scoped channel) {
        return partitions.locate(channel);
    }

    /**
     * Every partition that holds events of some namespaces, for reads of a whole namespace or of {@code global}.
     *
     * @param namespaces the namespaces
     * @return where their events are, topic by topic, partition by partition
     */
    public List<ChannelLocation> locateAll(Set<Namespace> namespaces) {
        return partitions.partitionsOf(namespaces).stream()
            .sorted(Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition))
            .map(partition -> new ChannelLocation(partition, partitions.incarnation(partition))).toList();
    }

    /**
     * Stops delivering a channel to a session.
     *
     * @param session the session
     * @param channel the channel
     */
    public void unsubscribe(Session session, Channel channel) {
        hub.remove(channel, session);
        source.followInterest();
    }

    /**
     * Forgets a closed session's subscriptions, its private channel included.
     *
     * @param session the session
     */
    public void sessionClosed(Session session) {
        hub.remove(session.privateChannel(), session);
        for (Channel channel : session.subscriptions()) {
            hub.remove(channel, session);
        }
        source.followInterest();
    }

    /**
     * Exports the fan-out consumer's own metrics (fetch rates, lag per partition).
     *
     * @param registry where to
     */
    public void bindMetrics(MeterRegistry registry) {
        source.bindMetrics(registry);
    }

    /**
     * @param channel a channel
     * @return whether a session on this node receives its events, directly or through {@code global}
     */
    public boolean hasSubscribers(Channel.Scoped channel) {
        return hub.hasSubscribers(channel);
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
        return source.whenRead(partition, offset);
    }

    /** Whether events are still read: false once the node stops, or after the fan-out's consumer failed. */
    public boolean isRunning() {
        return source.isRunning();
    }

    /**
     * Completes, on the fan-out thread, once the event reader has ended: when the node stops, or when the reader
     * failed. A reader never starts again; only a new process reads events again.
     */
    public CompletableFuture<Void> readerEnded() {
        return source.ended();
    }

    /** Channels with at least one subscriber on this node. */
    public int channelCount() {
        return hub.channelCount();
    }

    /** Stops the consumer thread and closes the consumer. */
    @Override
    public void close() {
        source.close();
    }
}

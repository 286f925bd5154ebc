package io.agentrelay.relay.fanout;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivering half of the fan-out, as Centrifuge's hub is to its broker: which sessions listen to which channel
 * ({@link SubscriptionIndex}), and the hand-over of each event to them. An event is parsed only when someone on this
 * node wants it, encoded once per dialect, and the same bytes go to every subscriber of that dialect; each session's
 * filter decides whether it gets the event. It knows nothing of the Kafka consumer that feeds it.
 *
 * <p>Threads: {@link #add}, {@link #remove} and the lookups are called from any thread (the I/O threads of the
 * sessions, the threads that complete a subscription); changes of the index are serialized and lookups are
 * lock-free. {@link #wantedPartitions} and {@link #dispatch} are called on the event source's thread only, so events
 * reach each session in partition order.
 */
final class EventHub implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
    private static final String CONN_PREFIX = Namespace.CONN.wireName() + ":";

    private final ChannelPartitions partitions;
    private final SubscriptionIndex<Session> index;
    private final RelayStats stats;
    private final ObjectReader eventReader = Json.readerFor(Event.class);

    /**
     * @param partitions where channels' events are kept
     * @param stats      the node's counters
     */
    EventHub(ChannelPartitions partitions, RelayStats stats) {
        this.partitions = partitions;
        this.stats = stats;
        this.index = new SubscriptionIndex<>(partitions::partitionOf, partitions.partitionsOf(EnumSet.complementOf(
            EnumSet.of(Namespace.CONN))));
    }

    /** Delivers a channel's events to a session from now on. */
    void add(Channel channel, Session session) {
        index.add(channel, session);
    }

    /** Stops delivering a channel's events to a session. */
    void remove(Channel channel, Session session) {
        index.remove(channel, session);
    }

    /** Whether a session on this node receives a channel's events, directly or through {@code global}. */
    boolean hasSubscribers(Channel.Scoped channel) {
        return !index.subscribers(channel.name()).isEmpty() || !index.globalSubscribers().isEmpty();
    }

    /** Channels with at least one subscriber on this node. */
    int channelCount() {
        return index.channelCount();
    }

    @Override
    public Set<TopicPartition> wantedPartitions() {
        return index.wantedPartitions();
    }

    @Override
    public void dispatch(ConsumedRecord record) {
        String channel = record.channel();
        // A connection's private channel carries replies: never part of global, never filtered or deduped.
        boolean privateChannel = channel.startsWith(CONN_PREFIX);
        Set<Session> direct = index.subscribers(channel);
        Set<Session> global = privateChannel ? Set.of() : index.globalSubscribers();
        if (direct.isEmpty() && global.isEmpty()) {
            return;
        }
        Event event;
        try {
            event = eventReader.readValue(record.value());
        } catch (IOException | RuntimeException e) {
            LOG.error("Skipping unreadable event of {} at {}-{} offset {}", channel, record.topic(),
                record.partition(), record.offset(), e);
            return;
        }
        stats.eventArrived(channel, event.ts(), record.writtenAt());
        Position position = partitions.position(record.topic(), record.partition(), record.offset());
        EncodedEvent encoded = new EncodedEvent(event, position);
        String pos = position.encode();
        long offset = record.offset();
        int delivered = 0;
        for (Session session : direct) {
            byte[] frame = privateChannel || session.wants(event) ? encoded.bytesFor(session.dialect()) : null;
            if (frame == null) {
                continue;
            }
            if (privateChannel) {
                session.send(frame);
            } else {
                session.deliver(channel, offset, pos, frame);
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

    private static void sendTrailer(Session session, EncodedEvent encoded) {
        byte[] trailer = encoded.trailerFor(session.dialect());
        if (trailer != null) {
            session.send(trailer);
        }
    }
}

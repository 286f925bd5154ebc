package io.agentrelay.relay.fanout;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.agentrelay.common.protocol.Channel;
import org.apache.kafka.common.TopicPartition;

/**
 * Which sessions listen to which channel, and so which event partitions this node must read.
 *
 * <p>Lookups ({@link #subscribers}, {@link #globalSubscribers}) are lock-free for the fan-out's hot path; changes are
 * serialized, and keep a count of interested channels per partition so that the wanted partitions follow without a
 * scan of every channel.
 *
 * @param <S> the subscribers, {@link io.agentrelay.relay.session.Session}s: the index only keeps them, so that it can
 *            be read and tested without sockets
 */
final class SubscriptionIndex<S> {

    private final Map<String, Set<S>> byChannel = new ConcurrentHashMap<>();
    private final Set<S> global = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Integer> channelsPerPartition = new HashMap<>();
    private final Function<Channel.Scoped, TopicPartition> partitionOf;
    private final Set<TopicPartition> globalPartitions;

    /**
     * @param partitionOf      the event partition that holds a channel
     * @param globalPartitions the partitions that the {@code global} channel reads
     */
    SubscriptionIndex(Function<Channel.Scoped, TopicPartition> partitionOf, Set<TopicPartition> globalPartitions) {
        this.partitionOf = partitionOf;
        this.globalPartitions = Set.copyOf(globalPartitions);
    }

    synchronized void add(Channel channel, S session) {
        if (channel instanceof Channel.Scoped scoped) {
            Set<S> sessions = byChannel.computeIfAbsent(scoped.name(), name -> ConcurrentHashMap.newKeySet());
            if (sessions.add(session) && sessions.size() == 1) {
                channelsPerPartition.merge(partitionOf.apply(scoped), 1, Integer::sum);
            }
        } else {
            global.add(session);
        }
    }

    synchronized void remove(Channel channel, S session) {
        if (channel instanceof Channel.Scoped scoped) {
            Set<S> sessions = byChannel.get(scoped.name());
            if (sessions != null && sessions.remove(session) && sessions.isEmpty()) {
                byChannel.remove(scoped.name());
                channelsPerPartition.computeIfPresent(partitionOf.apply(scoped), (tp, n) -> n == 1 ? null : n - 1);
            }
        } else {
            global.remove(session);
        }
    }

    /** The sessions subscribed to a channel, by its name; empty when none. */
    Set<S> subscribers(String channel) {
        return byChannel.getOrDefault(channel, Set.of());
    }

    /** The sessions subscribed to {@code global}. */
    Set<S> globalSubscribers() {
        return global;
    }

    /** The partitions that hold at least one subscribed channel, and every partition when anyone wants global. */
    synchronized Set<TopicPartition> wantedPartitions() {
        Set<TopicPartition> wanted = new HashSet<>(channelsPerPartition.keySet());
        if (!global.isEmpty()) {
            wanted.addAll(globalPartitions);
        }
        return wanted;
    }

    /** Channels with at least one subscriber. */
    int channelCount() {
        return byChannel.size();
    }
}

package io.agentrelay.relay.fanout;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.common.TopicPartition;

/**
 * Where channels' events are kept: the event topics as described when the node started, and the partition each
 * channel's name hashes to. Immutable; used from any thread.
 */
final class ChannelPartitions {

    private final Topics topics;
    private final Map<String, TopicInfo> eventTopics;

    /**
     * @param topics      the topic names
     * @param eventTopics the event topics as described at start: incarnation and partition count
     */
    ChannelPartitions(Topics topics, Map<String, TopicInfo> eventTopics) {
        this.topics = topics;
        this.eventTopics = Map.copyOf(eventTopics);
    }

    /** The event partition that a channel's name hashes to. */
    TopicPartition partitionOf(Channel.Scoped channel) {
        String topic = topics.events(channel.namespace());
        return new TopicPartition(topic, Partitions.forKey(channel.name(), eventTopics.get(topic).partitions()));
    }

    /** The partition and incarnation that hold a channel's events. */
    ChannelLocation locate(Channel.Scoped channel) {
        TopicPartition partition = partitionOf(channel);
        return new ChannelLocation(partition, incarnation(partition));
    }

    /** The position of a record of an event topic. */
    Position position(String topic, int partition, long offset) {
        return new Position(eventTopics.get(topic).incarnation(), partition, offset);
    }

    /** The position just before an offset of an event partition: where a read starting at the offset resumes. */
    Position before(TopicPartition partition, long offset) {
        return Position.before(incarnation(partition), partition.partition(), offset);
    }

    /** Every partition of the namespaces' event topics. */
    Set<TopicPartition> partitionsOf(Set<Namespace> namespaces) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Namespace namespace : namespaces) {
            TopicInfo info = eventTopics.get(topics.events(namespace));
            for (int p = 0; p < info.partitions(); p++) {
                partitions.add(new TopicPartition(info.name(), p));
            }
        }
        return Set.copyOf(partitions);
    }

    String incarnation(TopicPartition partition) {
        return eventTopics.get(partition.topic()).incarnation();
    }
}

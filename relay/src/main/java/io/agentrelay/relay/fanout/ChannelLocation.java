package io.agentrelay.relay.fanout;

import io.agentrelay.common.protocol.Position;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a channel's events are kept.
 *
 * @param partition   the event topic's partition that the channel's name hashes to
 * @param incarnation the event topic's id
 */
public record ChannelLocation(TopicPartition partition, String incarnation) {

    /**
     * A position in the channel's partition.
     *
     * @param offset the offset
     * @return the position
     */
    public Position position(long offset) {
        return new Position(incarnation, partition.partition(), offset);
    }
}

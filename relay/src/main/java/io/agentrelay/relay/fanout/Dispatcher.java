package io.agentrelay.relay.fanout;

import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * What the {@link EventSource} needs of the side that delivers events (the {@link EventHub}), as a Centrifuge broker
 * needs only its {@code BrokerEventHandler}: which partitions to read, and where each record read goes.
 *
 * <p>Both methods are called on the event source's thread only, and must not block it: every subscriber on the node
 * waits while they run.
 */
interface Dispatcher {

    /**
     * @return the event partitions that someone on this node listens to now
     */
    Set<TopicPartition> wantedPartitions();

    /**
     * Hands one record on to the sessions that want it; called in each partition's order.
     *
     * @param record the record
     */
    void dispatch(ConsumedRecord record);
}

package io.agentrelay.relay.fanout;

import io.agentrelay.relay.session.ChannelCursor;
import io.agentrelay.relay.session.Session;

/**
 * One session's resumed channel, waiting for its history. The {@link HistoryReader} starts it once its partition's
 * bounds are known (the resume answers its client then), sends it the channel's events in the range it asked for,
 * reading the partition once for every catch-up that waits on it, and ends it with {@link Session#caughtUp} whatever
 * happens.
 */
public interface CatchUp {

    /** The session that resumes. */
    Session session();

    /**
     * The cursor of the subscription that resumes: history goes through it, and once it is no longer current (its
     * client unsubscribed, or subscribed again) the catch-up ends like one of a closed session.
     */
    ChannelCursor cursor();

    /** The channel's name: the key of its records. */
    String channel();

    /** Where the channel's events are. */
    ChannelLocation location();

    /**
     * Decides what to read and answers the client. Called once, on a history thread.
     *
     * @param bounds the partition's first and end offsets, asked of Kafka at most once for every catch-up started
     *               with this one
     * @return the offsets to send; empty when there is nothing to read
     * @throws org.apache.kafka.common.KafkaException when Kafka did not tell a bound; {@link #failed} follows
     */
    Range start(PartitionBounds bounds);

    /**
     * The catch-up could not start; nothing was answered yet.
     *
     * @param failure why
     */
    void failed(RuntimeException failure);

    /**
     * Offsets of a partition.
     *
     * @param from the first
     * @param to   the one after the last
     */
    record Range(long from, long to) {

        /** Whether it holds no offset. */
        public boolean isEmpty() {
            return from >= to;
        }
    }
}

package io.agentrelay.relay.fanout;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.agentrelay.runtime.kafka.ChannelHistory;
import org.apache.kafka.common.TopicPartition;

/**
 * A partition's first offset (retention deleted the ones before) and end offset, each asked of Kafka once, when
 * first wanted, and shared by the catch-ups started together: a storm of resumes costs a request per partition, not
 * per resume. A failed request fails every later question too, rather than make each catch-up wait out its own
 * timeout. Used by one history thread.
 */
public final class PartitionBounds {

    private final Supplier<ChannelHistory> history;
    private final TopicPartition partition;
    /** An offset that a read in progress has just fetched, so still kept; none when {@link Long#MAX_VALUE}. */
    private final long fetched;
    private Long first;
    private Long end;
    private RuntimeException failure;

    PartitionBounds(Supplier<ChannelHistory> history, TopicPartition partition) {
        this(history, partition, Long.MAX_VALUE);
    }

    private PartitionBounds(Supplier<ChannelHistory> history, TopicPartition partition, long fetched) {
        this.history = history;
        this.partition = partition;
        this.fetched = fetched;
    }

    /**
     * Where a read that wants an offset can start.
     *
     * @param offset the offset wanted
     * @return the offset itself while it is kept; else the first offset kept, greater than it (retention deleted
     *     the ones between)
     */
    public long keptFrom(long offset) {
        if (offset >= fetched) {
            return offset;
        }
        if (first == null) {
            first = ask(() -> history.get().firstOffset(partition));
        }
        return Math.max(offset, first);
    }

    /** The offset the next committed event will get. */
    public long end() {
        if (end == null) {
            end = ask(() -> history.get().endOffset(partition));
        }
        return end;
    }

    /**
     * Bounds for catch-ups that join a read in progress: both ends asked again when wanted, since retention may have
     * deleted more, and the end moved, since the turn began; but offsets from the one the read just fetched on are
     * known to be kept without asking.
     *
     * @param fetched the offset of the event the read hands out now
     */
    PartitionBounds askedAgain(long fetched) {
        return new PartitionBounds(history, partition, fetched);
    }

    private long ask(LongSupplier question) {
        if (failure != null) {
            throw failure;
        }
        try {
            return question.getAsLong();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }
}

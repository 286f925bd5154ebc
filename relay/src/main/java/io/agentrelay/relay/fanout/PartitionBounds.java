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
    private Long first;
    private Long end;
    private RuntimeException failure;

    PartitionBounds(Supplier<ChannelHistory> history, TopicPartition partition) {
        this.history = history;
        this.partition = partition;
    }

    /** The first offset still kept. */
    public long first() {
        if (first == null) {
            first = ask(() -> history.get().firstOffset(partition));
        }
        return first;
    }

    /** The offset the next committed event will get. */
    public long end() {
        if (end == null) {
            end = ask(() -> history.get().endOffset(partition));
        }
        return end;
    }

    /**
     * Bounds for catch-ups started later in the same turn: the first offset as asked already (retention deleting
     * more meanwhile fails the read, as it would anyway), the end asked again when wanted.
     */
    PartitionBounds withEndAskedAgain() {
        PartitionBounds later = new PartitionBounds(history, partition);
        later.first = first;
        return later;
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

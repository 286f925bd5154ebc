package io.agentrelay.relay.fanout;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * Which event partitions the fan-out consumer reads: every partition that a subscription wants, and, for a while after
 * its last subscriber left, a partition it read before. The consumer holds every event partition assigned and pauses
 * the others, so that reading one more partition is a resume from its end rather than a new assignment: a new
 * assignment makes the consumer look up the topic's leaders again and wait for the fetch in flight, which cost the
 * first event of a fresh channel about a second. Keeping a partition for a while spares the dashboard that opens
 * channel after channel even the seek to the end. Used by the fan-out thread only; times are {@link System#nanoTime}.
 */
final class ReadingPlan {

    private final long lingerNanos;
    private final Set<TopicPartition> reading = new HashSet<>();
    private final Map<TopicPartition, Long> unwantedSince = new HashMap<>();

    /**
     * @param lingerNanos how long a partition is still read after the last subscription that wanted it ended
     */
    ReadingPlan(long lingerNanos) {
        if (lingerNanos < 0) {
            throw new IllegalArgumentException("the linger must not be negative, but was " + lingerNanos);
        }
        this.lingerNanos = lingerNanos;
    }

    /**
     * What to change so that the consumer reads what is wanted now; {@link #applied} once the consumer did it.
     *
     * @param wanted the partitions that the subscriptions want
     * @param now    the time
     * @return the partitions to start reading from their end, and those to stop reading
     */
    Change update(Set<TopicPartition> wanted, long now) {
        Set<TopicPartition> start = new HashSet<>(wanted);
        start.removeAll(reading);
        Set<TopicPartition> stop = new HashSet<>();
        for (TopicPartition partition : reading) {
            if (wanted.contains(partition)) {
                unwantedSince.remove(partition);
            } else if (now - unwantedSince.computeIfAbsent(partition, p -> now) >= lingerNanos) {
                stop.add(partition);
            }
        }
        return new Change(Set.copyOf(start), Set.copyOf(stop));
    }

    /**
     * Records that the consumer carried out a change.
     *
     * @param change what {@link #update} asked for
     */
    void applied(Change change) {
        reading.addAll(change.start());
        reading.removeAll(change.stop());
        change.stop().forEach(unwantedSince::remove);
    }

    /** Whether the consumer reads a partition now. */
    boolean reads(TopicPartition partition) {
        return reading.contains(partition);
    }

    /** Whether the consumer reads any partition now. */
    boolean readsAny() {
        return !reading.isEmpty();
    }

    /** Whether a partition that nobody wants any more has been read long enough, for {@link #update} to stop it. */
    boolean stopDue(long now) {
        for (long since : unwantedSince.values()) {
            if (now - since >= lingerNanos) {
                return true;
            }
        }
        return false;
    }

    /**
     * A change of what the consumer reads.
     *
     * @param start partitions to read from their end on
     * @param stop  partitions to read no more
     */
    record Change(Set<TopicPartition> start, Set<TopicPartition> stop) {

        boolean isEmpty() {
            return start.isEmpty() && stop.isEmpty();
        }
    }
}

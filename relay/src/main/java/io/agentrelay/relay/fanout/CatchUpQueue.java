package io.agentrelay.relay.fanout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.agentrelay.runtime.kafka.ChannelHistory;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.session.ChannelCursor;
import io.agentrelay.relay.session.Session;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-ups waiting for history, by partition, and the turns that serve them. A turn takes a partition's waiting
 * catch-ups, starts the new ones with one look at the partition's bounds, and reads the partition once for a group
 * of those that want nearby offsets, handing each event to every catch-up of its channel.
 *
 * <p>Catch-ups that arrive while their partition's turn reads do not wait for that read to end: the read starts
 * (answers) them at its next event of a channel it serves, and those that want nothing before that event join it.
 *
 * <p>No catch-up holds up the others: a turn reads at most {@link #TURN_OFFSETS} offsets, and what is left of its
 * catch-ups waits behind the rest of the partition's queue; a session without room in its outbox leaves the turn
 * where it stands and is served again once it has room. Nothing is buffered here: events go straight to the
 * sessions' bounded outboxes. At most one turn per partition runs at a time; the caller runs turns on history
 * threads as {@link #add} and {@link #turn} tell it.
 */
final class CatchUpQueue {

    /** How far from where the catch-up that waited longest goes on another may be and still share its read. */
    private static final long JOIN_OFFSETS = 10_000;
    /** Reads that may fail for a catch-up before its session is closed to resume again. */
    private static final int READ_ATTEMPTS = 3;
    /** Offsets one turn reads at most before the partition's other catch-ups get theirs. */
    private static final long TURN_OFFSETS = 50_000;

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpQueue.class);

    private final int maxWaiting;
    private final Map<TopicPartition, Deque<Waiting>> waiting = new HashMap<>();
    private int count;
    /**
     * Catch-ups added so far, by partition: a read in progress looks at its partition's queue again when its count
     * moved, not on every resume of another partition. One entry per event partition, kept.
     */
    private final Map<TopicPartition, AtomicLong> added = new ConcurrentHashMap<>();

    /**
     * @param maxWaiting catch-ups that may wait at once; more are refused
     */
    CatchUpQueue(int maxWaiting) {
        this.maxWaiting = maxWaiting;
    }

    /** What the caller does next for a partition, after {@link #add} or {@link #turn}. */
    enum Next {
        /** Nothing: no catch-up waits, or a turn is already due. */
        NONE,
        /** Run a turn. */
        TURN,
        /** Run a turn a little later: every waiting session is short of room. */
        TURN_LATER
    }

    /**
     * Queues a catch-up.
     *
     * @return {@link Next#TURN} when the caller must run a turn for its partition
     * @throws RejectedExecutionException when too many catch-ups wait
     */
    synchronized Next add(CatchUp catchUp) {
        if (count >= maxWaiting) {
            throw new RejectedExecutionException(count + " catch-ups are waiting");
        }
        count++;
        addedTo(catchUp.location().partition()).incrementAndGet();
        Deque<Waiting> queue = waiting.get(catchUp.location().partition());
        if (queue != null) {
            queue.addLast(new Waiting(catchUp));
            return Next.NONE;
        }
        queue = new ArrayDeque<>();
        queue.add(new Waiting(catchUp));
        waiting.put(catchUp.location().partition(), queue);
        return Next.TURN;
    }

    /**
     * Runs one turn for a partition on the calling history thread.
     *
     * @param partition the partition
     * @param history   the thread's reader, opened when first needed
     * @return whether, and when, the partition needs another turn
     */
    Next turn(TopicPartition partition, Supplier<ChannelHistory> history) {
        List<Waiting> taken;
        synchronized (this) {
            taken = new ArrayList<>(waiting.get(partition));
            waiting.get(partition).clear();
        }
        try {
            return serve(partition, history, taken);
        } catch (RuntimeException e) {
            // A bug, not Kafka: end what the turn took rather than leave the partition's queue without a turn, which
            // would make every later resume of it wait forever.
            LOG.error("A catch-up turn of {} failed; ending its {} resumes", partition, taken.size(), e);
            for (Waiting catchUp : taken) {
                try {
                    if (!catchUp.ended) {
                        abandon(catchUp, e);
                    }
                } catch (RuntimeException again) {
                    LOG.warn("Ending the resume of {} for session {} failed", catchUp.channel(),
                        catchUp.session().id(), again);
                }
            }
            synchronized (this) {
                count -= taken.size();
                if (waiting.get(partition).isEmpty()) {
                    waiting.remove(partition);
                    return Next.NONE;
                }
                return Next.TURN;
            }
        }
    }

    /** Ends a catch-up that cannot go on: answered already, its client must resume again; else it is told so. */
    private static void abandon(Waiting catchUp, RuntimeException failure) {
        if (catchUp.range != null) {
            catchUp.session().closeCatchUpFailed();
        } else {
            catchUp.catchUp.failed(failure);
        }
        end(catchUp);
    }

    private Next serve(TopicPartition partition, Supplier<ChannelHistory> history, List<Waiting> taken) {
        PartitionBounds bounds = new PartitionBounds(history, partition);
        List<Waiting> ready = new ArrayList<>();
        List<Waiting> notNow = new ArrayList<>();
        for (Waiting catchUp : taken) {
            if (catchUp.range == null && !start(catchUp, bounds)) {
                continue;
            }
            if (!catchUp.current()) {
                end(catchUp);
            } else if (catchUp.session().hasRoom()) {
                ready.add(catchUp);
            } else {
                notNow.add(catchUp);
            }
        }
        List<Waiting> group = group(ready, notNow);
        List<Waiting> unfinished = group.isEmpty() ? List.of() : read(partition, history, bounds, group, taken);
        synchronized (this) {
            Deque<Waiting> queue = waiting.get(partition);
            // Not served yet: ahead of those that came during the turn. Served and not done: behind them.
            for (int i = notNow.size() - 1; i >= 0; i--) {
                queue.addFirst(notNow.get(i));
            }
            unfinished.forEach(queue::addLast);
            count -= taken.size() - notNow.size() - unfinished.size();
            if (queue.isEmpty()) {
                waiting.remove(partition);
                return Next.NONE;
            }
            boolean fresh = queue.stream().anyMatch(catchUp -> catchUp.range == null);
            return group.isEmpty() && !fresh ? Next.TURN_LATER : Next.TURN;
        }
    }

    /** Starts a catch-up; false when it is over already (nothing to read, or it failed). */
    private boolean start(Waiting catchUp, PartitionBounds bounds) {
        try {
            CatchUp.Range range = catchUp.catchUp.start(bounds);
            catchUp.range = range;
            catchUp.next = range.from();
        } catch (RuntimeException e) {
            if (!(e instanceof KafkaException)) {
                LOG.warn("Starting the catch-up of {} for session {} failed", catchUp.channel(),
                    catchUp.session().id(), e);
            }
            catchUp.catchUp.failed(e);
            end(catchUp);
            return false;
        }
        if (catchUp.range.isEmpty()) {
            end(catchUp);
            return false;
        }
        return true;
    }

    /**
     * The catch-ups one read serves: the one that waited longest and those that start near it. The others move to
     * {@code notNow}.
     */
    private static List<Waiting> group(List<Waiting> ready, List<Waiting> notNow) {
        if (ready.isEmpty()) {
            return List.of();
        }
        long lead = ready.get(0).next;
        List<Waiting> group = new ArrayList<>();
        for (Waiting catchUp : ready) {
            if (Math.abs(catchUp.next - lead) <= JOIN_OFFSETS) {
                group.add(catchUp);
            } else {
                notNow.add(catchUp);
            }
        }
        return group;
    }

    /**
     * Reads the partition once for a group, which the partition's catch-ups that arrive meanwhile may join.
     *
     * @param taken what the turn took from the queue; those that join are added
     * @return the catch-ups of the group that are not done
     */
    private List<Waiting> read(TopicPartition partition, Supplier<ChannelHistory> history, PartitionBounds bounds,
                               List<Waiting> group, List<Waiting> taken) {
        Map<String, List<Waiting>> byChannel = new HashMap<>();
        long from = Long.MAX_VALUE;
        long to = 0;
        for (Waiting catchUp : group) {
            byChannel.computeIfAbsent(catchUp.channel(), channel -> new ArrayList<>()).add(catchUp);
            from = Math.min(from, catchUp.next);
            to = Math.max(to, catchUp.range.to());
        }
        to = Math.min(to, from + TURN_OFFSETS);
        int[] reading = {group.size()};
        AtomicLong addedHere = addedTo(partition);
        long[] seen = {-1};
        long reached;
        try {
            reached = history.get().read(partition, from, to, byChannel::containsKey, (channel, historic) -> {
                if (addedHere.get() != seen[0]) {
                    seen[0] = addedHere.get();
                    for (Waiting joiner : join(partition, bounds, historic.offset(), taken)) {
                        byChannel.computeIfAbsent(joiner.channel(), ignored -> new ArrayList<>()).add(joiner);
                        group.add(joiner);
                        reading[0]++;
                    }
                }
                EncodedEvent encoded = null;
                String pos = null;
                for (Waiting catchUp : byChannel.get(channel)) {
                    long offset = historic.offset();
                    if (catchUp.left || catchUp.ended || offset < catchUp.next) {
                        continue;
                    }
                    if (offset >= catchUp.range.to()) {
                        // Past its range: its held live events go out now, not when the group's read returns.
                        catchUp.next = catchUp.range.to();
                        end(catchUp);
                        reading[0]--;
                        continue;
                    }
                    Session session = catchUp.session();
                    if (!catchUp.current() || !session.hasRoom()) {
                        // Left where it stands: the rest of the group goes on without it.
                        catchUp.left = true;
                        catchUp.next = offset;
                        reading[0]--;
                        continue;
                    }
                    if (encoded == null) {
                        encoded = new EncodedEvent(historic.event(), new Position(
                            catchUp.location().incarnation(), partition.partition(), offset));
                        pos = encoded.position().encode();
                    }
                    try {
                        // Like the live fan-out: only what the session's filter takes and its dialect has a frame for.
                        byte[] frame = session.wants(historic.event()) ? encoded.bytesFor(session.dialect()) : null;
                        if (frame != null) {
                            session.catchUp(catchUp.cursor(), offset, pos, frame);
                        }
                    } catch (RuntimeException e) {
                        // This session's event, not the read: the others go on.
                        LOG.warn("Sending offset {} of {} to session {} failed; closing it to resume", offset,
                            partition, session.id(), e);
                        session.closeCatchUpFailed();
                        end(catchUp);
                        reading[0]--;
                    }
                }
                return reading[0] > 0;
            });
        } catch (RuntimeException e) {
            // Their answers went out: skipping on would leave a gap they were told they did not have. Each goes on
            // from its own next offset in a later read (its cursor drops what it already sent), a few times; what
            // retention deleted never comes back. The reader stays: its next read assigns and seeks afresh.
            boolean retry = !(e instanceof OffsetOutOfRangeException);
            LOG.warn("Catching up {} resumes on {} failed{}", group.size(), partition,
                retry ? "; reading again" : "; closing the sessions still catching up to resume", e);
            List<Waiting> again = new ArrayList<>();
            for (Waiting catchUp : group) {
                catchUp.left = false;
                if (catchUp.ended) {
                    continue;
                }
                if (catchUp.current() && retry && ++catchUp.failedReads < READ_ATTEMPTS) {
                    again.add(catchUp);
                    continue;
                }
                // Those whose client unsubscribed miss nothing.
                if (catchUp.current()) {
                    catchUp.session().closeCatchUpFailed();
                }
                end(catchUp);
            }
            return again;
        }
        List<Waiting> unfinished = new ArrayList<>();
        for (Waiting catchUp : group) {
            if (catchUp.ended) {
                continue;
            }
            if (!catchUp.left) {
                catchUp.next = Math.max(catchUp.next, reached);
            }
            catchUp.left = false;
            if (!catchUp.current() || catchUp.next >= catchUp.range.to()) {
                end(catchUp);
            } else {
                unfinished.add(catchUp);
            }
        }
        return unfinished;
    }

    /**
     * Starts, and so answers, the catch-ups of a partition that arrived since its turn took its own, while the turn
     * reads. Those that want nothing before the offset the read is at, and have room, join the read; the others go
     * back to the head of the queue, started, for the next turn.
     *
     * @param offset the offset of the event the read hands out next
     * @param taken  what the turn took from the queue; those that join or are over already are added
     * @return those that join the read
     */
    private List<Waiting> join(TopicPartition partition, PartitionBounds bounds, long offset, List<Waiting> taken) {
        List<Waiting> fresh = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiting> queued = waiting.get(partition).iterator(); queued.hasNext(); ) {
                Waiting catchUp = queued.next();
                if (catchUp.range == null) {
                    fresh.add(catchUp);
                    queued.remove();
                }
            }
        }
        if (fresh.isEmpty()) {
            return List.of();
        }
        // The end may have moved since the turn asked for it (a client coming from a node that read further needs
        // it), and retention may have deleted the start: a client must not be told it recovered what is gone.
        PartitionBounds later = bounds.askedAgain(offset);
        List<Waiting> joining = new ArrayList<>();
        List<Waiting> notNow = new ArrayList<>();
        for (Waiting catchUp : fresh) {
            if (!start(catchUp, later)) {
                taken.add(catchUp);
            } else if (catchUp.next >= offset && catchUp.current() && catchUp.session().hasRoom()) {
                taken.add(catchUp);
                joining.add(catchUp);
            } else {
                notNow.add(catchUp);
            }
        }
        synchronized (this) {
            Deque<Waiting> queue = waiting.get(partition);
            for (int i = notNow.size() - 1; i >= 0; i--) {
                queue.addFirst(notNow.get(i));
            }
        }
        return joining;
    }

    private AtomicLong addedTo(TopicPartition partition) {
        return added.computeIfAbsent(partition, ignored -> new AtomicLong());
    }

    private static void end(Waiting catchUp) {
        catchUp.ended = true;
        catchUp.session().caughtUp(catchUp.cursor());
    }

    /** A catch-up in the queue: its range once started, and the next offset it needs. */
    private static final class Waiting {
        final CatchUp catchUp;
        CatchUp.Range range;
        long next;
        /** Left the current turn's read: its session had no room, or closed. */
        boolean left;
        /** Ended: its held live events were released. */
        boolean ended;
        /** Reads of its group that failed. */
        int failedReads;

        Waiting(CatchUp catchUp) {
            this.catchUp = catchUp;
        }

        Session session() {
            return catchUp.session();
        }

        ChannelCursor cursor() {
            return catchUp.cursor();
        }

        /** Whether anyone still waits for it: its session is open and has not unsubscribed the channel since. */
        boolean current() {
            return catchUp.session().follows(catchUp.cursor());
        }

        String channel() {
            return catchUp.channel();
        }

        ChannelLocation location() {
            return catchUp.location();
        }
    }
}

package io.agentrelay.relay.inbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.relay.dialect.ReplayBound;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.fanout.ChannelLocation;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.fanout.HistoryReader;
import io.agentrelay.relay.session.Session;
import io.agentrelay.runtime.kafka.ChannelHistory;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code replay}: past events between two points, of one channel, a whole namespace or {@code global} (partition
 * after partition, each in order), those that match the request's filters, sent with {@code replayed: true} beside
 * (never into) the socket's live subscriptions, at the original pace times {@code speed} or as fast as the socket
 * takes them, then {@code replay.completed} with the count.
 */
final class ReplayHandler {

    private static final Instant LATEST_MILLIS = Instant.ofEpochMilli(Long.MAX_VALUE - 1);

    private final EventFanout fanout;
    private final HistoryReader history;

    ReplayHandler(EventFanout fanout, HistoryReader history) {
        this.fanout = fanout;
        this.history = history;
    }

    void replay(Session session, Request.Replay request) {
        try {
            history.submit(partition -> {
                try {
                    run(session, request, partition);
                } catch (RelayException e) {
                    session.send(session.dialect().error(e.code(), e.getMessage(), request.id()));
                } catch (KafkaException e) {
                    session.send(session.dialect().error(ErrorCode.UNAVAILABLE,
                        "cannot read the channel's history: " + e.getMessage(), request.id()));
                } catch (RuntimeException e) {
                    // The client is answered; the pool thread drops its consumer, which may be what failed.
                    session.send(session.dialect().error(ErrorCode.SERVER_ERROR,
                        ErrorCode.SERVER_ERROR.defaultMessage(), request.id()));
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            session.send(session.dialect().error(ErrorCode.UNAVAILABLE,
                "too many replays in progress on this relay; retry later", request.id()));
        }
    }

    private void run(Session session, Request.Replay request, ChannelHistory history) {
        ReadScope scope = request.scope();
        List<ChannelLocation> locations = scope instanceof ReadScope.OneChannel one
            ? List.of(fanout.locate(one.channel())) : fanout.locateAll(scope.namespaces());
        // Every range first: a bad bound is answered with an error, not after "replaying".
        List<long[]> ranges = new ArrayList<>();
        for (ChannelLocation location : locations) {
            TopicPartition partition = location.partition();
            long end = history.endOffset(partition);
            long from = Math.max(offset(request.from(), location, history, false), history.firstOffset(partition));
            long to = request.to() == null ? end : Math.min(end, offset(request.to(), location, history, true));
            ranges.add(new long[] {from, to});
        }
        session.send(session.dialect().response(request, Json.object()
            .put("status", "replaying")
            .put("channel", scope.name())
            .put("speed", request.speed())));
        long[] previousTimestamp = {-1};
        long[] sent = {0};
        for (int i = 0; i < locations.size(); i++) {
            ChannelLocation location = locations.get(i);
            TopicPartition partition = location.partition();
            long from = ranges.get(i)[0];
            long to = ranges.get(i)[1];
            if (from < to) {
                history.read(partition, from, to, scope::includes, (channel, historic) -> {
                    // Answers addressed to one connection (a panel tool's result) are not the channel's to replay.
                    if (historic.event().to() == null && request.query().matches(historic.event())) {
                        pace(request.speed(), previousTimestamp, historic.timestamp());
                        session.awaitRoom();
                        Position position = new Position(location.incarnation(), partition.partition(),
                            historic.offset());
                        session.send(session.dialect().replayed(historic.event(), position));
                        sent[0]++;
                    }
                    return session.isOpen() && !Thread.currentThread().isInterrupted();
                });
            }
            if (!session.isOpen() || Thread.currentThread().isInterrupted()) {
                return;
            }
        }
        session.send(session.dialect().replayCompleted(request, scope.name(), sent[0]));
    }

    /** The first offset to send ({@code end} false), or the one after the last ({@code end} true). */
    private static long offset(ReplayBound bound, ChannelLocation location, ChannelHistory partition,
                               boolean end) {
        if (bound instanceof ReplayBound.AtTime at) {
            return partition.offsetAt(location.partition(), epochMillis(at.time(), end));
        }
        Position position = ((ReplayBound.AtPosition) bound).position();
        if (!position.incarnation().equals(location.incarnation())
            || position.partition() != location.partition().partition()) {
            throw new RelayException(ErrorCode.INVALID_REQUEST,
                "pos " + position + " is not a position of this channel in the current event topic");
        }
        return end && position.offset() < Long.MAX_VALUE ? position.offset() + 1 : position.offset();
    }

    /**
     * The record time to look up for a bound: Kafka knows no time before 1970, and years past 292 million do not fit
     * in epoch milliseconds, so those bounds mean the partition's start and end.
     */
    private static long epochMillis(Instant time, boolean end) {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        if (time.isAfter(LATEST_MILLIS)) {
            return Long.MAX_VALUE;
        }
        return time.toEpochMilli() + (end ? 1 : 0);
    }

    /** Waits out the original gap between two events, shortened by the speed; speed 0 does not wait. */
    private static void pace(double speed, long[] previousTimestamp, long timestamp) {
        if (speed > 0 && previousTimestamp[0] >= 0 && timestamp > previousTimestamp[0]) {
            long gapNanos = (long) (TimeUnit.MILLISECONDS.toNanos(timestamp - previousTimestamp[0]) / speed);
            long deadline = System.nanoTime() + gapNanos;
            for (long left = gapNanos; left > 0 && !Thread.currentThread().isInterrupted();
                 left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
        previousTimestamp[0] = timestamp;
    }
}

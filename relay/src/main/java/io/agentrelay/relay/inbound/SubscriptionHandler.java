package io.agentrelay.relay.inbound;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.relay.dialect.Request;
import io.agentrelay.relay.fanout.CatchUp;
import io.agentrelay.relay.fanout.ChannelLocation;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.fanout.HistoryReader;
import io.agentrelay.relay.fanout.PartitionBounds;
import io.agentrelay.relay.session.ChannelCursor;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import org.apache.kafka.common.KafkaException;

/**
 * {@code subscribe} and {@code unsubscribe}, including resumes: {@code subscribe {channel, since}} first makes the
 * live fan-out route the channel to the session (holding its events), then reads the channel's history after
 * {@code since} up to the partition's end, then releases the held live events that the history did not cover. Every
 * event reaches the client once, in order, with no gap.
 */
final class SubscriptionHandler {

    private final EventFanout fanout;
    private final HistoryReader history;
    private final int maxSubscriptions;
    private final RelayStats stats;

    SubscriptionHandler(EventFanout fanout, HistoryReader history, int maxSubscriptions, RelayStats stats) {
        this.fanout = fanout;
        this.history = history;
        this.maxSubscriptions = maxSubscriptions;
        this.stats = stats;
    }

    /**
     * @return completes once answered; fails, the subscription undone, when the fan-out cannot take it
     */
    CompletableFuture<Void> subscribe(Session session, Request.Subscribe request) {
        Channel channel = request.channel();
        ChannelAccess.requireReadable(session, channel);
        if (!(channel instanceof Channel.Scoped) && request.since() != null) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "'since' needs one channel; 'global' cannot resume");
        }
        if (session.subscriptions().contains(channel)) {
            respond(session, request, subscribed(channel));
            return CompletableFuture.completedFuture(null);
        }
        requireRoomFor(session);
        session.subscriptions().add(channel);
        Position since = request.since();
        ChannelCursor cursor = channel instanceof Channel.Scoped scoped
            ? session.follow(scoped.name(), since == null ? -1 : since.offset(), since != null)
            : null;
        CompletableFuture<Optional<Position>> subscribed = fanout.subscribe(session, channel);
        forgetIfClosed(session, channel);
        return undoneIfFailed(session, channel, subscribed).thenAccept(liveStart -> {
            if (since == null) {
                ObjectNode data = subscribed(channel);
                liveStart.ifPresent(pos -> data.put("pos", pos.encode()));
                respond(session, request, data);
            } else {
                resume(session, request, (Channel.Scoped) channel, cursor, since, liveStart);
            }
        });
    }

    /**
     * Subscribes a session to a command's entity without a response, so that its client sees the work it started.
     *
     * @return completes when the channel's events reach the session; fails, the subscription undone, when the
     *     fan-out cannot take it
     * @throws RelayException when the session already has as many subscriptions as a connection may have
     */
    CompletableFuture<Void> follow(Session session, Channel.Scoped channel) {
        if (session.subscriptions().contains(channel)) {
            return CompletableFuture.completedFuture(null);
        }
        requireRoomFor(session);
        session.subscriptions().add(channel);
        session.follow(channel.name(), -1, false);
        CompletableFuture<Void> following = undoneIfFailed(session, channel, fanout.subscribe(session, channel))
            .thenApply(ignored -> null);
        forgetIfClosed(session, channel);
        return following;
    }

    /**
     * Takes a subscription the fan-out could not make out of the session again: left there, the session's next
     * subscribe or command on the channel would be answered as if it were subscribed, and never get an event.
     */
    private <T> CompletableFuture<T> undoneIfFailed(Session session, Channel channel, CompletableFuture<T> subscribed) {
        return subscribed.whenComplete((ignored, failure) -> {
            if (failure != null && session.subscriptions().remove(channel)) {
                fanout.unsubscribe(session, channel);
                session.unfollow(channel.name());
            }
        });
    }

    private void requireRoomFor(Session session) {
        if (session.subscriptions().size() >= maxSubscriptions) {
            throw new RelayException(ErrorCode.INVALID_REQUEST,
                "a connection may subscribe to at most " + maxSubscriptions + " channels");
        }
    }

    /**
     * Takes a subscription out of the fan-out's index again when the session closed meanwhile: following runs when
     * the session's previous command is ready, which can be after the socket closed and the fan-out forgot the
     * session, and nothing would ever remove a closed session added after that.
     */
    private void forgetIfClosed(Session session, Channel channel) {
        if (!session.isOpen()) {
            fanout.unsubscribe(session, channel);
        }
    }

    void unsubscribe(Session session, Request.Unsubscribe request) {
        Channel channel = request.channel();
        boolean wasSubscribed = session.subscriptions().remove(channel);
        if (wasSubscribed) {
            fanout.unsubscribe(session, channel);
            session.unfollow(channel.name());
        }
        respond(session, request, Json.object()
            .put("status", wasSubscribed ? "unsubscribed" : "not_subscribed")
            .put("channel", channel.name()));
    }

    /**
     * Queues the catch-up with the history reader; the fan-out already holds the channel's live events for the
     * session. A {@code since} of another partition or topic is answered here, without reading anything.
     */
    private void resume(Session session, Request.Subscribe request, Channel.Scoped channel, ChannelCursor cursor,
                        Position since, Optional<Position> liveStart) {
        ChannelLocation location = fanout.locate(channel);
        if (!since.incarnation().equals(location.incarnation())
            || since.partition() != location.partition().partition()) {
            // The offset means nothing here: every live event is new to this client.
            // The answer first: released live events must not reach the client before it.
            session.restartAfter(cursor, -1);
            notRecovered(session, request, subscribed(channel).put("recovered", false).put("reason",
                "'since' is not a position of this channel in the current event topic (was the topic recreated?); "
                    + "only new events follow"));
            session.caughtUp(cursor);
            return;
        }
        try {
            history.catchUp(new Resume(session, request, channel, cursor, location, since, liveStart));
        } catch (RejectedExecutionException e) {
            notRecovered(session, request, subscribed(channel).put("recovered", false)
                .put("reason", "too many resumes in progress on this relay; only new events follow"));
            session.caughtUp(cursor);
        }
    }

    /**
     * A resume waiting for its channel's history: the events after {@code since} and before the live start, from
     * where on the fan-out delivers them (held until this catch-up ends, and never twice, by offset). The live start
     * saves asking Kafka for the partition's end on every resume.
     */
    private final class Resume implements CatchUp {

        private final Session session;
        private final Request.Subscribe request;
        private final Channel.Scoped channel;
        private final ChannelCursor cursor;
        private final ChannelLocation location;
        private final Position since;
        private final Optional<Position> liveStart;

        Resume(Session session, Request.Subscribe request, Channel.Scoped channel, ChannelCursor cursor,
               ChannelLocation location, Position since, Optional<Position> liveStart) {
            this.session = session;
            this.request = request;
            this.channel = channel;
            this.cursor = cursor;
            this.location = location;
            this.since = since;
            this.liveStart = liveStart;
        }

        @Override
        public Session session() {
            return session;
        }

        @Override
        public ChannelCursor cursor() {
            return cursor;
        }

        @Override
        public String channel() {
            return channel.name();
        }

        @Override
        public ChannelLocation location() {
            return location;
        }

        @Override
        public Range start(PartitionBounds bounds) {
            if (!session.follows(cursor)) {
                // Unsubscribed while it waited: nothing to read, and the client already has the unsubscribe answer.
                notRecovered(session, request, subscribed(channel).put("recovered", false)
                    .put("reason", "unsubscribed before the channel's history was read"));
                return new Range(0, 0);
            }
            long end = liveStart.filter(start -> start.partition() == location.partition().partition())
                .map(start -> start.offset() + 1)
                .orElse(-1L);
            if (end < 0 || since.offset() >= end) {
                // No live start, or a client ahead of this node's fan-out (it came from a node that read further):
                // only the partition's end tells whether 'since' exists.
                end = bounds.end();
            }
            long from = since.offset() + 1;
            Optional<String> lost = Optional.empty();
            if (since.offset() >= end) {
                lost = Optional.of("'since' is ahead of the channel's partition (end offset " + end
                    + "); only new events follow");
                from = end;
            } else if (bounds.keptFrom(from) > from) {
                from = bounds.keptFrom(from);
                lost = Optional.of("'since' is older than the retention: events before offset " + from
                    + " were deleted; the rest follow");
            }
            if (lost.isPresent()) {
                // The cursor still holds the client's offset, which would drop live events up to it.
                session.restartAfter(cursor, from - 1);
            }
            stats.resumed(lost.isEmpty());
            ObjectNode data = subscribed(channel).put("recovered", lost.isEmpty());
            lost.ifPresent(reason -> data.put("reason", reason));
            respond(session, request, data);
            return new Range(from, end);
        }

        @Override
        public void failed(RuntimeException failure) {
            notRecovered(session, request, subscribed(channel).put("recovered", false).put("reason",
                failure instanceof KafkaException
                    ? "cannot read the channel's history: " + failure.getMessage()
                    : "reading the channel's history failed on the relay; only new events follow"));
        }
    }

    private void notRecovered(Session session, Request request, ObjectNode data) {
        stats.resumed(false);
        respond(session, request, data);
    }

    private static ObjectNode subscribed(Channel channel) {
        return Json.object().put("status", "subscribed").put("channel", channel.name());
    }

    private static void respond(Session session, Request request, ObjectNode data) {
        byte[] frame = session.dialect().response(request, data);
        if (frame != null) {
            session.send(frame);
        }
    }
}

package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The order a client gets a channel's events in: each once, by offset, with the live events that arrive during a
 * resume held until the history before them was sent.
 */
class ChannelCursorsTest {

    private static final String CHANNEL = "workflow:wf-1";

    private final List<Outgoing> queued = new ArrayList<>();
    private final AtomicInteger overflows = new AtomicInteger();
    private final ChannelCursors cursors = new ChannelCursors(3, queued::add, overflows::incrementAndGet);

    @Test
    void shouldSendLiveEventsInOrderAndEachOnce() {
        cursors.follow(CHANNEL, -1, false);

        for (long offset : new long[] {0, 1, 1, 0, 2, 5}) {
            cursors.deliver(CHANNEL, offset, "pos-" + offset, frame(offset));
        }

        assertThat(sent()).containsExactly("0", "1", "2", "5");
        assertThat(queued).extracting(Outgoing::channel).containsOnly(CHANNEL);
        assertThat(queued).extracting(Outgoing::pos).containsExactly("pos-0", "pos-1", "pos-2", "pos-5");
    }

    @Test
    void shouldSendNothingBeforeTheSubscriptionsLastOffset() {
        cursors.follow(CHANNEL, 4, false);

        cursors.deliver(CHANNEL, 3, "pos-3", frame(3));
        cursors.deliver(CHANNEL, 4, "pos-4", frame(4));
        cursors.deliver(CHANNEL, 5, "pos-5", frame(5));

        assertThat(sent()).containsExactly("5");
    }

    @Test
    void shouldSendNothingOfAChannelNotFollowedOrNoLongerFollowed() {
        cursors.deliver(CHANNEL, 0, "pos-0", frame(0));
        cursors.follow(CHANNEL, -1, false);
        cursors.unfollow(CHANNEL);
        cursors.deliver(CHANNEL, 1, "pos-1", frame(1));

        assertThat(queued).isEmpty();
    }

    @Test
    void shouldHoldLiveEventsUntilTheHistoryBeforeThemWasSent() {
        ChannelCursor cursor = cursors.follow(CHANNEL, 4, true);

        cursors.deliver(CHANNEL, 7, "pos-7", frame(7));
        cursors.deliver(CHANNEL, 8, "pos-8", frame(8));
        assertThat(queued).as("held while catching up").isEmpty();

        for (long offset = 5; offset <= 7; offset++) {
            cursors.catchUp(cursor, offset, "pos-" + offset, frame(offset));
        }
        cursors.caughtUp(cursor);
        cursors.deliver(CHANNEL, 9, "pos-9", frame(9));

        assertThat(sent()).as("event 7 came both ways and is sent once").containsExactly("5", "6", "7", "8", "9");
    }

    @Test
    void shouldCloseTheSessionWhenACatchingUpChannelHoldsTooMuch() {
        ChannelCursor cursor = cursors.follow(CHANNEL, -1, true);

        for (long offset = 10; offset < 14; offset++) {
            cursors.deliver(CHANNEL, offset, "pos-" + offset, frame(offset));
        }

        assertThat(overflows).hasValue(1);
        cursors.caughtUp(cursor);
        assertThat(sent()).as("what it held within the limit").containsExactly("10", "11", "12");
    }

    @Test
    void shouldIgnoreTheCatchUpOfASubscriptionThatWasReplaced() {
        ChannelCursor old = cursors.follow(CHANNEL, -1, true);
        cursors.deliver(CHANNEL, 3, "pos-3", frame(3));
        ChannelCursor current = cursors.follow(CHANNEL, 10, false);

        cursors.catchUp(old, 0, "pos-0", frame(0));
        cursors.restartAfter(old, -1);
        cursors.caughtUp(old);
        cursors.deliver(CHANNEL, 11, "pos-11", frame(11));

        assertThat(cursors.isCurrent(old)).isFalse();
        assertThat(cursors.isCurrent(current)).isTrue();
        assertThat(sent()).containsExactly("11");
    }

    @Test
    void shouldResendFromWhereACatchUpRestarts() {
        ChannelCursor cursor = cursors.follow(CHANNEL, 10, true);

        cursors.restartAfter(cursor, 2);
        cursors.catchUp(cursor, 3, "pos-3", frame(3));
        cursors.caughtUp(cursor);

        assertThat(sent()).containsExactly("3");
    }

    private List<String> sent() {
        return queued.stream().map(outgoing -> new String(outgoing.bytes(), StandardCharsets.UTF_8)).toList();
    }

    private static byte[] frame(long offset) {
        return Long.toString(offset).getBytes(StandardCharsets.UTF_8);
    }
}

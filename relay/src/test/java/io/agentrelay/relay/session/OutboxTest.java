package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void shouldRefuseFramesPastTheMessageLimit() {
        Outbox outbox = new Outbox(2, 1_000);

        assertThat(outbox.offer(frame(10))).isTrue();
        assertThat(outbox.offer(frame(10))).isTrue();
        assertThat(outbox.offer(frame(10))).isFalse();
    }

    @Test
    void shouldRefuseFramesPastTheByteLimit() {
        Outbox outbox = new Outbox(100, 25);

        assertThat(outbox.offer(frame(20))).isTrue();
        assertThat(outbox.offer(frame(10))).isFalse();
        assertThat(outbox.offer(frame(5))).isTrue();
    }

    @Test
    void shouldHandOutOneFrameAtATimeInOrder() {
        Outbox outbox = new Outbox(10, 1_000);
        outbox.offer(Outgoing.plain(new byte[] {1}));
        outbox.offer(Outgoing.plain(new byte[] {2}));

        Outgoing first = outbox.poll();
        assertThat(first.bytes()[0]).isEqualTo((byte) 1);
        assertThat(outbox.poll()).as("the first frame is still being written").isNull();

        outbox.sent(first);
        Outgoing second = outbox.poll();
        assertThat(second.bytes()[0]).isEqualTo((byte) 2);
        outbox.sent(second);
        assertThat(outbox.poll()).isNull();
        assertThat(outbox.size()).isZero();
    }

    @Test
    void shouldMakeRoomAsFramesAreWritten() {
        Outbox outbox = new Outbox(1, 1_000);
        outbox.offer(frame(10));
        assertThat(outbox.offer(frame(10))).isFalse();

        outbox.sent(outbox.poll());

        assertThat(outbox.offer(frame(10))).isTrue();
    }

    private static Outgoing frame(int size) {
        return Outgoing.plain(new byte[size]);
    }
}

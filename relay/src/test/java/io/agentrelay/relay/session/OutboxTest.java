package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void shouldRefuseFramesPastTheMessageLimit() {
        Outbox outbox = new Outbox(2, 1_000);

        assertThat(outbox.offer(new byte[10])).isTrue();
        assertThat(outbox.offer(new byte[10])).isTrue();
        assertThat(outbox.offer(new byte[10])).isFalse();
    }

    @Test
    void shouldRefuseFramesPastTheByteLimit() {
        Outbox outbox = new Outbox(100, 25);

        assertThat(outbox.offer(new byte[20])).isTrue();
        assertThat(outbox.offer(new byte[10])).isFalse();
        assertThat(outbox.offer(new byte[5])).isTrue();
    }

    @Test
    void shouldHandOutOneFrameAtATimeInOrder() {
        Outbox outbox = new Outbox(10, 1_000);
        outbox.offer(new byte[] {1});
        outbox.offer(new byte[] {2});

        ByteBuffer first = outbox.poll();
        assertThat(first.get(0)).isEqualTo((byte) 1);
        assertThat(outbox.poll()).as("the first frame is still being written").isNull();

        outbox.sent(first.remaining());
        ByteBuffer second = outbox.poll();
        assertThat(second.get(0)).isEqualTo((byte) 2);
        outbox.sent(second.remaining());
        assertThat(outbox.poll()).isNull();
        assertThat(outbox.size()).isZero();
    }

    @Test
    void shouldMakeRoomAsFramesAreWritten() {
        Outbox outbox = new Outbox(1, 1_000);
        outbox.offer(new byte[10]);
        assertThat(outbox.offer(new byte[10])).isFalse();

        outbox.sent(outbox.poll().remaining());

        assertThat(outbox.offer(new byte[10])).isTrue();
    }
}

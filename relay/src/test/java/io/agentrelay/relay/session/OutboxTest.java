package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

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
    void shouldHandOverEveryQueuedFrameInOrderAndKeepTheWriterUntilTheLastIsWritten() {
        Outbox outbox = new Outbox(10, 1_000);
        outbox.offer(Outgoing.plain(new byte[] {1}));
        outbox.offer(Outgoing.plain(new byte[] {2}));

        List<Outgoing> batch = outbox.poll();
        assertThat(batch).extracting(frame -> frame.bytes()[0]).containsExactly((byte) 1, (byte) 2);
        outbox.offer(Outgoing.plain(new byte[] {3}));
        assertThat(outbox.poll()).as("the batch is still being written").isEmpty();
        outbox.sent(batch.get(0));
        assertThat(outbox.poll()).as("one frame of the batch is still being written").isEmpty();
        assertThat(outbox.size()).as("a frame counts until written").isEqualTo(2);

        outbox.sent(batch.get(1));
        List<Outgoing> next = outbox.poll();
        assertThat(next).extracting(frame -> frame.bytes()[0]).containsExactly((byte) 3);
        outbox.sent(next.get(0));
        assertThat(outbox.poll()).isEmpty();
        assertThat(outbox.size()).isZero();
    }

    @Test
    void shouldHandOverAtMostOneBatchOfFramesAtOnce() {
        Outbox outbox = new Outbox(1_000, 100_000);
        for (int i = 0; i < Outbox.MAX_BATCH + 1; i++) {
            outbox.offer(frame(1));
        }

        List<Outgoing> batch = outbox.poll();
        assertThat(batch).hasSize(Outbox.MAX_BATCH);
        batch.forEach(outbox::sent);
        assertThat(outbox.poll()).hasSize(1);
    }

    @Test
    void shouldMakeRoomAsFramesAreWritten() {
        Outbox outbox = new Outbox(1, 1_000);
        outbox.offer(frame(10));
        assertThat(outbox.offer(frame(10))).isFalse();

        outbox.poll().forEach(outbox::sent);

        assertThat(outbox.offer(frame(10))).isTrue();
    }

    private static Outgoing frame(int size) {
        return Outgoing.plain(new byte[size]);
    }
}

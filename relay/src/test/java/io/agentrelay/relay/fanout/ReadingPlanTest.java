package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadingPlanTest {

    private static final long LINGER = 30;
    private static final TopicPartition A = new TopicPartition("relay.events.workflow", 0);
    private static final TopicPartition B = new TopicPartition("relay.events.workflow", 1);

    private final ReadingPlan plan = new ReadingPlan(LINGER);

    @Test
    void shouldStartReadingAWantedPartitionAtOnce() {
        ReadingPlan.Change change = plan.update(Set.of(A), 0);

        assertThat(change.start()).containsExactly(A);
        assertThat(change.stop()).isEmpty();
        assertThat(plan.reads(A)).as("not before the consumer did it").isFalse();
        plan.applied(change);
        assertThat(plan.reads(A)).isTrue();
        assertThat(plan.update(Set.of(A), 1).isEmpty()).as("a partition read is not started again").isTrue();
    }

    @Test
    void shouldAskAgainForAChangeThatWasNotApplied() {
        plan.update(Set.of(A), 0);

        assertThat(plan.update(Set.of(A), 1).start()).containsExactly(A);
    }

    @Test
    void shouldKeepReadingAPartitionForTheLingerAfterItsLastSubscriberLeft() {
        plan.applied(plan.update(Set.of(A, B), 0));

        assertThat(plan.update(Set.of(B), 10).isEmpty()).isTrue();
        assertThat(plan.stopDue(10 + LINGER - 1)).isFalse();
        assertThat(plan.update(Set.of(B), 10 + LINGER - 1).isEmpty()).isTrue();
        assertThat(plan.stopDue(10 + LINGER)).isTrue();
        ReadingPlan.Change change = plan.update(Set.of(B), 10 + LINGER);

        assertThat(change.stop()).containsExactly(A);
        assertThat(change.start()).isEmpty();
        plan.applied(change);
        assertThat(plan.reads(A)).isFalse();
        assertThat(plan.reads(B)).isTrue();
        assertThat(plan.stopDue(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void shouldNeitherStopNorRestartAPartitionWantedAgainWhileItLingers() {
        plan.applied(plan.update(Set.of(A), 0));
        plan.update(Set.of(), 5);

        assertThat(plan.update(Set.of(A), 5 + LINGER - 1).isEmpty()).isTrue();
        assertThat(plan.update(Set.of(A), 5 + 10 * LINGER).isEmpty()).as("the linger starts over when left again")
            .isTrue();
        assertThat(plan.update(Set.of(), 5 + 10 * LINGER).isEmpty()).isTrue();
        assertThat(plan.stopDue(5 + 11 * LINGER)).isTrue();
    }

    @Test
    void shouldStopAtOnceWithoutLinger() {
        ReadingPlan eager = new ReadingPlan(0);
        eager.applied(eager.update(Set.of(A), 0));

        assertThat(eager.update(Set.of(), 0).stop()).containsExactly(A);
    }

    @Test
    void shouldRefuseANegativeLinger() {
        assertThatThrownBy(() -> new ReadingPlan(-1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-1");
    }

    @Test
    void shouldReadNothingAtFirst() {
        assertThat(plan.readsAny()).isFalse();
        plan.applied(plan.update(Set.of(A), 0));
        assertThat(plan.readsAny()).isTrue();
    }
}

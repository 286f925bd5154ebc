package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.IntStream;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Which sessions get a channel's events, and which partitions the node reads for them. Channels are placed as the
 * relay places them: one topic per namespace, here two partitions each, the partition chosen by the channel's id.
 */
class SubscriptionIndexTest {

    private static final Set<TopicPartition> ALL = Set.of(partition(Namespace.WORKFLOW, 0),
        partition(Namespace.WORKFLOW, 1), partition(Namespace.POOL, 0), partition(Namespace.POOL, 1));

    private final SubscriptionIndex<String> index = new SubscriptionIndex<>(
        channel -> partition(channel.namespace(), Math.floorMod(channel.id().hashCode(), 2)), ALL);

    @Test
    void shouldFindEverySessionOfAChannelAndNoOther() {
        index.add(workflow("a"), "s1");
        index.add(workflow("a"), "s2");
        index.add(workflow("b"), "s3");
        index.add(Channel.of(Namespace.POOL, "a"), "s4");

        assertThat(index.subscribers("workflow:a")).containsExactlyInAnyOrder("s1", "s2");
        assertThat(index.subscribers("workflow:b")).containsExactly("s3");
        assertThat(index.subscribers("pool:a")).as("same id, other namespace").containsExactly("s4");
        assertThat(index.subscribers("workflow:c")).isEmpty();
        assertThat(index.globalSubscribers()).isEmpty();
        assertThat(index.channelCount()).isEqualTo(3);
    }

    @Test
    void shouldForgetASessionThatUnsubscribedAndTheChannelWithoutSessions() {
        index.add(workflow("a"), "s1");
        index.add(workflow("a"), "s2");

        index.remove(workflow("a"), "s1");
        assertThat(index.subscribers("workflow:a")).containsExactly("s2");
        assertThat(index.channelCount()).isEqualTo(1);

        index.remove(workflow("a"), "s2");
        assertThat(index.subscribers("workflow:a")).isEmpty();
        assertThat(index.channelCount()).isZero();
        assertThat(index.wantedPartitions()).isEmpty();
    }

    @Test
    void shouldReadOnlyThePartitionsOfSubscribedChannelsWhileAnyChannelThereHasASession() {
        Channel.Scoped first = workflow("a");
        Channel.Scoped second = sameWorkflowPartitionAs(first);
        index.add(first, "s1");
        index.add(second, "s2");
        index.add(Channel.of(Namespace.POOL, "p"), "s3");
        TopicPartition workflows = partition(Namespace.WORKFLOW, Math.floorMod(first.id().hashCode(), 2));

        assertThat(index.wantedPartitions()).containsExactlyInAnyOrder(workflows,
            partition(Namespace.POOL, Math.floorMod("p".hashCode(), 2)));

        index.remove(first, "s1");
        assertThat(index.wantedPartitions()).as("the second channel still needs it").contains(workflows);
        index.remove(second, "s2");
        assertThat(index.wantedPartitions()).doesNotContain(workflows).hasSize(1);
    }

    @Test
    void shouldCountASessionSubscribedTwiceOnce() {
        index.add(workflow("a"), "s1");
        index.add(workflow("a"), "s1");

        index.remove(workflow("a"), "s1");

        assertThat(index.subscribers("workflow:a")).isEmpty();
        assertThat(index.wantedPartitions()).isEmpty();
    }

    @Test
    void shouldNotLetAnUnknownSessionUnsubscribeAnother() {
        index.add(workflow("a"), "s1");

        index.remove(workflow("a"), "s2");
        index.remove(workflow("b"), "s1");

        assertThat(index.subscribers("workflow:a")).containsExactly("s1");
        assertThat(index.wantedPartitions()).hasSize(1);
    }

    @Test
    void shouldReadEveryPartitionWhileAnyoneFollowsGlobal() {
        index.add(Channel.GLOBAL, "s1");

        assertThat(index.globalSubscribers()).containsExactly("s1");
        assertThat(index.subscribers("workflow:a")).as("global is not a channel of its own").isEmpty();
        assertThat(index.wantedPartitions()).isEqualTo(ALL);

        index.remove(Channel.GLOBAL, "s1");
        assertThat(index.globalSubscribers()).isEmpty();
        assertThat(index.wantedPartitions()).isEmpty();
    }

    @Test
    void shouldKeepManySessionsApartAndForgetThemAll() {
        IntStream.range(0, 1_000).forEach(i -> index.add(workflow("w" + i % 100), "s" + i));

        assertThat(index.channelCount()).isEqualTo(100);
        assertThat(index.subscribers("workflow:w7")).hasSize(10).contains("s7", "s107", "s907");
        assertThat(index.wantedPartitions()).containsExactlyInAnyOrder(partition(Namespace.WORKFLOW, 0),
            partition(Namespace.WORKFLOW, 1));

        IntStream.range(0, 1_000).forEach(i -> index.remove(workflow("w" + i % 100), "s" + i));
        assertThat(index.channelCount()).isZero();
        assertThat(index.wantedPartitions()).isEmpty();
    }

    private static Channel.Scoped workflow(String id) {
        return Channel.of(Namespace.WORKFLOW, id);
    }

    private static Channel.Scoped sameWorkflowPartitionAs(Channel.Scoped channel) {
        int partition = Math.floorMod(channel.id().hashCode(), 2);
        return IntStream.range(0, 100).mapToObj(i -> workflow("other" + i))
            .filter(other -> Math.floorMod(other.id().hashCode(), 2) == partition).findFirst().orElseThrow();
    }

    private static TopicPartition partition(Namespace namespace, int partition) {
        return new TopicPartition("events." + namespace.wireName(), partition);
    }
}

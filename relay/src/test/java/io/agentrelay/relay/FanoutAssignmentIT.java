package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fan-out consumer changes what it reads as subscriptions come and go; none of that may cost a subscriber an
 * event or show it one twice.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class FanoutAssignmentIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PARTITIONS = 3;

    private LocalCluster cluster;
    private EventWriter writer;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.cluster = cluster;
        writer = new EventWriter(kafka.bootstrapServers(), cluster.prefix().value());
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void shouldDeliverEveryEventOfAChannelOnceAndInOrderWhileOtherSubscriptionsComeAndGo() throws Exception {
        Channel.Scoped steady = Channel.of(Namespace.WORKFLOW, "steady");
        int total = 300;
        RelayConnection watcher = cluster.connect(0);
        Frames frames = new Frames();
        watcher.addListener(frames);
        watcher.subscribe(steady.name()).get(10, TimeUnit.SECONDS);
        RelayConnection churner = cluster.connect(0);
        Thread publisher = new Thread(() -> {
            try {
                for (int seq = 0; seq < total; seq++) {
                    writer.tick(steady, seq, 10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        publisher.start();
        // Channels of three namespaces, each wanted for a moment while the steady channel's events arrive: partitions
        // start being read under it. Thirty rounds stay within the connection's burst of requests.
        for (int i = 0; i < 30; i++) {
            Namespace namespace = List.of(Namespace.WORKFLOW, Namespace.SESSION, Namespace.PANEL).get(i % 3);
            String channel = Channel.of(namespace, "churn-" + i).name();
            int seen = frames.events(steady.name()).size();
            churner.subscribe(channel).get(10, TimeUnit.SECONDS);
            churner.request("unsubscribe", Json.object().put("channel", channel)).get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> frames.events(steady.name()).size() > seen || !publisher.isAlive());
        }
        publisher.join();

        await().atMost(WAIT).until(() -> frames.events(steady.name()).size() >= total);
        List<Envelope> events = frames.events(steady.name());
        assertThat(events).extracting(event -> event.data().path("seq").asInt())
            .containsExactlyElementsOf(IntStream.range(0, total).boxed().toList());
        assertThat(events).extracting(event -> Position.decode(event.pos()).offset()).isSorted()
            .doesNotHaveDuplicates();
    }

    @Test
    void shouldDeliverEveryEventOfWorkflowsStartedRightAfterSubscribingToFreshChannels() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);

        // One after another, as a dashboard does: more channels than partitions, so that most are not read yet.
        for (int i = 0; i < 3 * PARTITIONS; i++) {
            String channel = "workflow:fresh-" + i;
            client.subscribe(channel).get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", Workflows.echo("fresh-" + i, "hello")).get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> frames.eventNames(channel).contains("workflow.completed"));
            client.request("unsubscribe", Json.object().put("channel", channel)).get(10, TimeUnit.SECONDS);

            List<Envelope> events = frames.events(channel);
            assertThat(events.get(0).event()).as("the first event of " + channel).isEqualTo("workflow.started");
            assertThat(events).extracting(Envelope::event).containsOnlyOnce("workflow.started", "node.started",
                "node.completed", "workflow.completed");
            assertThat(events).extracting(event -> Position.decode(event.pos()).offset()).isSorted()
                .doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldStartAtTheSubscribePositionWhenAChannelIsSubscribedAgainWhileItsPartitionIsStillRead()
        throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "again");
        Channel.Scoped neighbour = neighbourOf(channel);
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
        writer.tick(channel, 0, 10);
        await().atMost(WAIT).until(() -> frames.events(channel.name()).size() == 1);
        client.request("unsubscribe", Json.object().put("channel", channel.name())).get(10, TimeUnit.SECONDS);

        // Nobody here wants the partition now; its events still flow past while it is kept.
        writer.tick(channel, 1, 10);
        writer.tick(neighbour, 1, 10);
        Envelope again = client.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
        writer.tick(channel, 2, 10);
        writer.tick(channel, 3, 10);

        await().atMost(WAIT).until(() -> frames.eventNames(channel.name()).size() >= 3
            && frames.events(channel.name()).get(frames.events(channel.name()).size() - 1)
                .data().path("seq").asInt() == 3);
        List<Envelope> events = frames.events(channel.name());
        long answeredAt = Position.decode(again.data().path("pos").asText()).offset();
        assertThat(events).extracting(event -> event.data().path("seq").asInt())
            .as("2 and 3 follow the second subscribe; 1 only if it was read after it").doesNotHaveDuplicates()
            .startsWith(0).endsWith(2, 3);
        assertThat(events.subList(1, events.size())).extracting(event -> Position.decode(event.pos()).offset())
            .as("after the position of the second subscribe's answer").isSorted()
            .allSatisfy(offset -> assertThat(offset).isGreaterThan(answeredAt));
        assertThat(frames.events(neighbour.name())).isEmpty();
    }

    /** Another channel on the same partition. */
    private static Channel.Scoped neighbourOf(Channel.Scoped channel) {
        int partition = Partitions.forKey(channel.name(), PARTITIONS);
        return IntStream.range(0, 100).mapToObj(i -> Channel.of(channel.namespace(), "neighbour-" + i))
            .filter(candidate -> Partitions.forKey(candidate.name(), PARTITIONS) == partition)
            .findFirst().orElseThrow();
    }
}

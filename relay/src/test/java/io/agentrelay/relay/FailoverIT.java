package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.agentrelay.client.ChannelHandler;
import io.agentrelay.client.RelayClient;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class FailoverIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TOTAL = 500;

    @Test
    void shouldContinueTheStreamOnAnotherNodeWhenItsNodeStops(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "failover");
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 2);
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value());
             RelayClient client = clientOfBoth(cluster)) {
            client.connect();
            SeqRecorder recorder = new SeqRecorder();
            client.subscribe(channel.name(), recorder).get(10, TimeUnit.SECONDS);
            Thread publisher = new Thread(() -> {
                try {
                    for (int seq = 0; seq < TOTAL; seq++) {
                        writer.tick(channel, seq, 10);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            publisher.start();

            await().atMost(WAIT).until(() -> recorder.seqs.size() >= 100);
            cluster.relay(0).close();

            await().atMost(WAIT).until(() -> recorder.seqs.size() >= TOTAL);
            publisher.join(WAIT.toMillis());
            assertThat(recorder.seqs).containsExactlyElementsOf(IntStream.range(0, TOTAL).boxed().toList());
            assertThat(recorder.resumes).containsExactly(true);
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void shouldFollowGlobalAgainOnAnotherNodeAndSayWhatItCouldNotResume(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        List<Channel.Scoped> channels = List.of(Channel.of(Namespace.WORKFLOW, "firehose-a"),
            Channel.of(Namespace.PANEL, "firehose-b"));
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 2);
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value());
             RelayClient client = clientOfBoth(cluster)) {
            client.connect();
            FirehoseRecorder recorder = new FirehoseRecorder();
            client.subscribe(Channel.GLOBAL_NAME, recorder).get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 50; seq++) {
                for (Channel.Scoped channel : channels) {
                    writer.tick(channel, seq, 10);
                }
            }
            await().atMost(WAIT).until(() -> recorder.seqs(channels.get(0)).contains(49)
                && recorder.seqs(channels.get(1)).contains(49));

            cluster.relay(0).close();
            await().atMost(WAIT).until(() -> !recorder.resumes.isEmpty());
            for (int seq = 50; seq < 100; seq++) {
                for (Channel.Scoped channel : channels) {
                    writer.tick(channel, seq, 10);
                }
            }

            await().atMost(WAIT).until(() -> recorder.seqs(channels.get(0)).contains(99)
                && recorder.seqs(channels.get(1)).contains(99));
            for (Channel.Scoped channel : channels) {
                List<Integer> seqs = recorder.seqs(channel);
                assertThat(seqs).as("events of %s: in order, none twice", channel.name()).isSorted()
                    .doesNotHaveDuplicates()
                    .containsAll(IntStream.range(0, 100).boxed().toList());
            }
            assertThat(recorder.resumes).singleElement().asString().contains("global cannot resume");
        }
    }

    /** A client that starts on the first node and fails over to the second. */
    private static RelayClient clientOfBoth(LocalCluster cluster) {
        return RelayClient.builder()
            .endpoints(List.of(cluster.webSocket(0), cluster.webSocket(1)))
            .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .build();
    }

    /** Seqs by channel, as a global subscription received them. */
    private static final class FirehoseRecorder implements ChannelHandler {
        final List<Envelope> events = new CopyOnWriteArrayList<>();
        final List<String> resumes = new CopyOnWriteArrayList<>();

        List<Integer> seqs(Channel.Scoped channel) {
            return events.stream().filter(event -> channel.name().equals(event.room()))
                .map(event -> event.data().path("seq").asInt()).toList();
        }

        @Override
        public void onEvent(Envelope event) {
            events.add(event);
        }

        @Override
        public void onResumed(boolean recovered, String reason) {
            resumes.add(recovered + ": " + reason);
        }
    }
}

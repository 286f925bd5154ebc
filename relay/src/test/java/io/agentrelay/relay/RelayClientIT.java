package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayClient;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Java SDK's answers to a relay that refuses or cannot resume, against real relays and a real broker. */
@ExtendWith(KafkaExtension.class)
class RelayClientIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> ONE_SUBSCRIPTION = Map.of("RELAY_MAX_SUBSCRIPTIONS", "1");

    @Test
    void shouldFailARefusedSubscribeAndLetItBeSentAgain(EmbeddedKafka kafka, TopicPrefix prefix,
                                                         @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 0)) {
            int strict = cluster.addRelay(ONE_SUBSCRIPTION);
            try (RelayClient client = clientOf(cluster, strict)) {
                client.connect();
                client.subscribe("workflow:first", event -> { }).get(10, TimeUnit.SECONDS);

                assertThat(client.subscribe("workflow:second", event -> { })).failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class).havingCause()
                    .isInstanceOf(RelayErrorException.class).withMessageContaining("at most 1");
                assertThat(client.lastPosition("workflow:second")).isEmpty();

                client.unsubscribe("workflow:first").get(10, TimeUnit.SECONDS);
                assertThat(client.subscribe("workflow:second", event -> { }).get(10, TimeUnit.SECONDS).data()
                    .path("status").asText()).isEqualTo("subscribed");
            }
        }
    }

    @Test
    void shouldEndASubscriptionTheNextRelayRefusesAndTellItsHandler(EmbeddedKafka kafka, TopicPrefix prefix,
                                                                    @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 1)) {
            cluster.addRelay(ONE_SUBSCRIPTION);
            SeqRecorder a = new SeqRecorder();
            SeqRecorder b = new SeqRecorder();
            try (RelayClient client = clientOf(cluster, 0, 1)) {
                client.connect();
                client.subscribe("workflow:a", a).get(10, TimeUnit.SECONDS);
                client.subscribe("workflow:b", b).get(10, TimeUnit.SECONDS);

                cluster.relay(0).close();

                await().atMost(WAIT).until(() -> a.resumes.size() + a.refusals.size() == 1
                    && b.resumes.size() + b.refusals.size() == 1);
                SeqRecorder refused = a.refusals.isEmpty() ? b : a;
                SeqRecorder resumed = refused == a ? b : a;
                assertThat(refused.refusals).singleElement().extracting(RelayErrorException::errorCode)
                    .isEqualTo("INVALID_REQUEST");
                assertThat(resumed.resumes).containsExactly(true);
                assertThat(client.lastPosition(refused == a ? "workflow:a" : "workflow:b"))
                    .as("the refused channel is forgotten, not sent again after every reconnect").isEmpty();
            }
        }
    }

    @Test
    void shouldHandOverEveryEventAfterAResumeThatDidNotRecover(EmbeddedKafka kafka, TopicPrefix prefix,
                                                               @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "ahead");
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 1);
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value());
             RelayClient client = clientOf(cluster, 0)) {
            client.connect();
            Position now = Position.decode(client.subscribe(channel.name(), event -> { }).get(10, TimeUnit.SECONDS)
                .data().path("pos").asText());
            client.unsubscribe(channel.name()).get(10, TimeUnit.SECONDS);
            // A position ahead of the partition (a made-up or corrupted offset): the relay answers recovered false
            // and subscribes from the partition's end.
            String ahead = new Position(now.incarnation(), now.partition(), now.offset() + 1_000_000).encode();
            SeqRecorder recorder = new SeqRecorder();

            Envelope answer = client.subscribe(channel.name(), ahead, recorder).get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 3; seq++) {
                writer.tick(channel, seq, 10);
            }

            assertThat(answer.data().path("recovered").asBoolean(true)).isFalse();
            await().atMost(WAIT).untilAsserted(() -> assertThat(recorder.seqs).containsExactly(0, 1, 2));
        }
    }

    private static RelayClient clientOf(LocalCluster cluster, int... relays) {
        return RelayClient.builder()
            .endpoints(Arrays.stream(relays).mapToObj(cluster::webSocket).toList())
            .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .build();
    }
}

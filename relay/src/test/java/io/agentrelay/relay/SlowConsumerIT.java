package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class SlowConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TOTAL = 600;

    @Test
    void shouldCloseASlowClientWith1013AndLetItResumeWhileAFastClientGetsEverything(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "firehose");
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_OUTBOX_MESSAGES", "64"));
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            RelayConnection fast = cluster.connect(0);
            Frames fastFrames = new Frames();
            fast.addListener(fastFrames);
            fast.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
            StalledReader slow = StalledReader.connect(cluster, channel.name());

            for (int seq = 0; seq < TOTAL; seq++) {
                writer.tick(channel, seq, 32 * 1024);
            }

            await().atMost(WAIT).until(() -> fastFrames.events(channel.name()).size() == TOTAL);
            assertThat(seqs(fastFrames.events(channel.name()))).containsExactlyElementsOf(sequence());
            assertThat(fast.closed()).isNotDone();

            slow.resumeReading();
            RelayConnection.CloseStatus closed = slow.closed().get(30, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.TRY_AGAIN_LATER);
            assertThat(closed.reason()).startsWith("slow consumer; resume").contains(channel.name() + "@");
            List<JsonNode> before = slow.events();
            assertThat(before.size()).isLessThan(TOTAL);

            RelayConnection again = cluster.connect(0);
            Frames afterFrames = new Frames();
            again.addListener(afterFrames);
            String since = before.get(before.size() - 1).path("pos").asText();
            Envelope resumed = again.request("subscribe", Json.object().put("channel", channel.name())
                .put("since", since)).get(10, TimeUnit.SECONDS);
            assertThat(resumed.data().path("recovered").asBoolean()).isTrue();
            await().atMost(WAIT).until(() -> before.size() + afterFrames.events(channel.name()).size() >= TOTAL);
            List<Integer> union = new ArrayList<>(before.stream().map(e -> e.path("data").path("seq").asInt()).toList());
            union.addAll(seqs(afterFrames.events(channel.name())));
            assertThat(union).containsExactlyElementsOf(sequence());
        }
    }

    private static List<Integer> sequence() {
        return IntStream.range(0, TOTAL).boxed().toList();
    }

    private static List<Integer> seqs(List<Envelope> events) {
        return events.stream().map(e -> e.data().path("seq").asInt()).toList();
    }
}

package io.agentrelay.relay;

import static io.agentrelay.relay.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class CliIT {

    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    private EventWriter writer;
    private final Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "cli");
    private final long start = Instant.parse("2026-11-21T08:00:00Z").toEpochMilli();
    private final List<RecordMetadata> written = new ArrayList<>();

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) throws Exception {
        this.kafka = kafka;
        this.cluster = cluster;
        writer = new EventWriter(kafka.bootstrapServers(), cluster.prefix().value());
        for (int seq = 0; seq < 6; seq++) {
            written.add(writer.tickAt(channel, seq, 10, start + seq * 60_000L));
            writer.tickAt(Channel.of(Namespace.WORKFLOW, "not-cli"), seq, 10, start + seq * 60_000L);
        }
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void replayShouldPrintTheChannelsEventsBetweenTwoTimesStraightFromKafka() throws Exception {
        CliRun run = run("replay", channel.name(), "--from", Instant.ofEpochMilli(start + 60_000L).toString(),
            "--to", Instant.ofEpochMilli(start + 3 * 60_000L).toString(),
            "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).extracting(line -> line.path("data").path("seq").asInt()).containsExactly(1, 2, 3);
        assertThat(run.lines()).allSatisfy(line -> {
            assertThat(line.path("room").asText()).isEqualTo(channel.name());
            assertThat(line.path("pos").asText()).isNotBlank();
        });
        assertThat(run.err()).contains("3 events of workflow:cli");
    }

    @Test
    void replayOfANamespaceFromKafkaShouldMergeItsPartitionsByRecordTime() throws Exception {
        // Two channels on different partitions, whose events alternate in time.
        Channel.Scoped first = Channel.of(Namespace.WORKFLOW, "merge-a");
        Channel.Scoped second = IntStream.range(0, 100).mapToObj(i -> Channel.of(Namespace.WORKFLOW, "merge-" + i))
            .filter(other -> partitionOf(other) != partitionOf(first)).findFirst().orElseThrow();
        long later = start + 60 * 60_000L;
        for (int seq = 0; seq < 4; seq++) {
            writer.tickAt(first, seq * 2, 10, later + seq * 2 * 1000L);
        }
        for (int seq = 0; seq < 4; seq++) {
            writer.tickAt(second, seq * 2 + 1, 10, later + (seq * 2 + 1) * 1000L);
        }

        CliRun run = run("replay", "workflow:*", "--from", Instant.ofEpochMilli(later).toString(), "--to",
            Instant.ofEpochMilli(later + 60_000L).toString(), "--bootstrap-servers", kafka.bootstrapServers(),
            "--topic-prefix", cluster.prefix().value());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).extracting(line -> line.path("data").path("seq").asInt())
            .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(run.lines()).extracting(line -> line.path("room").asText()).containsExactly(first.name(),
            second.name(), first.name(), second.name(), first.name(), second.name(), first.name(), second.name());
    }

    private static int partitionOf(Channel.Scoped channel) {
        return Partitions.forKey(channel.name(), 3);
    }

    @Test
    void replayShouldSaySoWhenTheRangeIsEmpty() throws Exception {
        CliRun run = run("replay", channel.name(), "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z",
            "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("no events of workflow:cli between 2020-01-01T00:00:00Z and 2020-01-02T00:00:00Z");
    }

    @Test
    void shouldExplainBadChannelsAndUnreachableServers() throws Exception {
        CliRun badChannel = run("replay", "nonsense", "--from", "2020-01-01T00:00:00Z",
            "--bootstrap-servers", kafka.bootstrapServers());
        CliRun noBroker = run("replay", channel.name(), "--from", "2020-01-01T00:00:00Z",
            "--bootstrap-servers", "127.0.0.1:1");
        CliRun noRelay = run("tail", channel.name(), "--url", "ws://127.0.0.1:1/ws");

        assertThat(badChannel.exitCode()).isEqualTo(2);
        assertThat(badChannel.err()).contains("invalid channel: channel 'nonsense' must be 'global' or '<namespace>:<id>'");
        assertThat(noBroker.exitCode()).isEqualTo(1);
        assertThat(noBroker.err()).contains("cannot reach Kafka at 127.0.0.1:1");
        assertThat(noRelay.exitCode()).isEqualTo(1);
        assertThat(noRelay.err()).contains("cannot reach a relay at [ws://127.0.0.1:1/ws]");
    }

    @Test
    void tailShouldFollowAChannelFromATimeThroughTheRelay() throws Exception {
        Thread later = new Thread(() -> {
            try {
                writer.tick(channel, 100, 10);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        later.start();

        CliRun run = run("tail", channel.name(), "--url", cluster.webSocket(0).toString(),
            "--from", Instant.ofEpochMilli(start + 4 * 60_000L).toString(), "--max-events", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).extracting(line -> line.path("data").path("seq").asInt()).containsExactly(4, 5, 100);
    }
}

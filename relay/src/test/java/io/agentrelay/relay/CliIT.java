package io.agentrelay.relay;

import static io.agentrelay.relay.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        Channel.Scoped second = otherPartitionThan(first);
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

    @Test
    void tailOfANamespaceFromKafkaShouldFollowEveryPartitionAfterAHistoryLongerThanOnePoll() throws Exception {
        // More history on one partition than a poll returns, and a later event on another: merging by time holds
        // the other partition back meanwhile, and the live part must read it again all the same.
        Channel.Scoped busy = Channel.of(Namespace.WORKFLOW, "busy");
        Channel.Scoped quiet = otherPartitionThan(busy);
        long later = start + 60 * 60_000L;
        for (int seq = 0; seq < 600; seq++) {
            writer.tickAt(busy, seq, 10, later + seq);
        }
        writer.tickAt(quiet, 600, 10, later + 1000L);
        StringWriter out = new StringWriter();
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(() -> run(out, "tail", "workflow:*", "--from",
            Instant.ofEpochMilli(later).toString(), "--max-events", "602", "--bootstrap-servers",
            kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value()));
        await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("\"seq\":600,") || tail.isDone());

        writer.tick(quiet, 601, 10);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("\"seq\":601,")
                || tail.isDone());
        } finally {
            if (!tail.isDone()) {
                // The busy partition's next event ends the tail (602 events) whatever it missed.
                writer.tick(busy, 602, 10);
            }
        }

        CliRun followed = tail.get(30, TimeUnit.SECONDS);
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(new CliRun(0, out.toString(), "").lines()).extracting(line -> line.path("data").path("seq").asInt())
            .containsExactlyElementsOf(IntStream.rangeClosed(0, 601).boxed().toList());
    }

    @Test
    void tailFromKafkaWithoutFromShouldPrintOnlyEventsCommittedAfterItStarted() throws Exception {
        // An event already in the log whose record time lies ahead of this clock (another machine's clock) is not new.
        writer.tickAt(channel, 99, 10, System.currentTimeMillis() + 60 * 60_000L);
        StringWriter out = new StringWriter();
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(() -> run(out, "tail", channel.name(),
            "--max-events", "1", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
            cluster.prefix().value()));
        // Until the tail reads, each tick may come before it; the first one it prints ends it.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!tail.isDone()) {
                writer.tick(channel, 100, 10);
            }
            return tail.isDone();
        });

        CliRun followed = tail.get(30, TimeUnit.SECONDS);
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(followed.lines()).extracting(line -> line.path("data").path("seq").asInt()).containsExactly(100);
    }

    private static Channel.Scoped otherPartitionThan(Channel.Scoped channel) {
        return IntStream.range(0, 100).mapToObj(i -> Channel.of(Namespace.WORKFLOW, "other-" + i))
            .filter(other -> partitionOf(other) != partitionOf(channel)).findFirst().orElseThrow();
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
        // Without --url, tail reads Kafka, like replay, find and inspect; one who meant the local relay is told so.
        CliRun tailNoBroker = run("tail", channel.name(), "--bootstrap-servers", "127.0.0.1:1");
        CliRun findBackwards = run("find", "--since", "-1h", "--until", "-2h", "--bootstrap-servers",
            kafka.bootstrapServers());
        CliRun tailBadFrom = run("tail", channel.name(), "--from", "yesterday", "--bootstrap-servers",
            kafka.bootstrapServers());

        assertThat(badChannel.exitCode()).isEqualTo(2);
        assertThat(badChannel.err()).contains("invalid channel: channel 'nonsense' must be 'global' or '<namespace>:<id>'");
        assertThat(noBroker.exitCode()).isEqualTo(1);
        assertThat(noBroker.err()).contains("cannot reach Kafka at 127.0.0.1:1");
        assertThat(tailNoBroker.exitCode()).isEqualTo(1);
        assertThat(tailNoBroker.err()).contains("cannot reach Kafka at 127.0.0.1:1 (--bootstrap-servers or "
            + "$KAFKA_BOOTSTRAP_SERVERS; --url reads through a relay instead)");
        assertThat(findBackwards.exitCode()).isEqualTo(2);
        assertThat(findBackwards.err()).containsPattern("--until \\S+ is before --since \\S+");
        assertThat(tailBadFrom.exitCode()).isEqualTo(2);
        assertThat(tailBadFrom.err()).contains("--from must be a time such as -15m", "not 'yesterday'");
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

package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Many clients resuming at once, as after a relay restart: every one of them recovered, none given too much. */
@ExtendWith(KafkaExtension.class)
class ResumeStormIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int CHANNELS = 40;
    private static final int CLIENTS = 40;
    private static final int BEFORE = 20;
    private static final int TOTAL = 50;

    @Test
    void shouldRecoverEveryResumeOfAStormEachFromItsOwnPositionWhileEventsKeepComing(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        List<Channel.Scoped> channels = IntStream.range(0, CHANNELS)
            .mapToObj(i -> Channel.of(Namespace.WORKFLOW, "storm-" + i)).toList();
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_RATE_LIMIT", "10000"));
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            // What every client had before it lost its socket: the positions of the first events of each channel.
            RelayConnection watcher = cluster.connect(0);
            Frames watched = new Frames();
            watcher.addListener(watched);
            for (Channel.Scoped channel : channels) {
                watcher.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
            }
            publish(writer, channels, 0, BEFORE);
            await().atMost(WAIT).until(() -> channels.stream()
                .allMatch(channel -> watched.events(channel.name()).size() == BEFORE));

            // Each client resumes every channel from a position of its own (its last event: seq 0 to 19), all at
            // once, while the channels go on (seq 20 to 49), so that resumes of one partition start at different
            // offsets and hand over to live events at different points.
            Thread publisher = new Thread(() -> publish(writer, channels, BEFORE, TOTAL));
            List<RelayConnection> clients = new ArrayList<>();
            List<Frames> received = new ArrayList<>();
            List<CompletableFuture<Envelope>> answers = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                RelayConnection client = cluster.connect(0);
                Frames frames = new Frames();
                client.addListener(frames);
                clients.add(client);
                received.add(frames);
            }
            publisher.start();
            for (int c = 0; c < CLIENTS; c++) {
                for (int i = 0; i < CHANNELS; i++) {
                    String channel = channels.get(i).name();
                    answers.add(clients.get(c).request("subscribe", Json.object().put("channel", channel)
                        .put("since", watched.events(channel).get(lastSeen(c, i)).pos())));
                }
            }
            publisher.join(WAIT.toMillis());

            for (CompletableFuture<Envelope> answer : answers) {
                Envelope response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(response.data().path("recovered").asBoolean())
                    .as("%s: %s", response.data().path("channel").asText(), response.data().path("reason").asText())
                    .isTrue();
            }
            await().atMost(WAIT).until(() -> received.stream().allMatch(frames -> channels.stream()
                .allMatch(channel -> seqs(frames.events(channel.name())).contains(TOTAL - 1))));
            for (int c = 0; c < CLIENTS; c++) {
                for (int i = 0; i < CHANNELS; i++) {
                    String channel = channels.get(i).name();
                    int last = lastSeen(c, i);
                    List<Envelope> events = received.get(c).events(channel);
                    assertThat(seqs(events)).as("client %d, %s", c, channel)
                        .containsExactlyElementsOf(IntStream.range(last + 1, TOTAL).boxed().toList());
                    assertThat(events).extracting(e -> Position.decode(e.pos()).offset()).isSorted();
                }
            }
        }
    }

    @Test
    void shouldServeOtherResumesOfAPartitionWhileClientsThatStoppedReadingCatchUp(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped backlog = Channel.of(Namespace.WORKFLOW, "backlog");
        Channel.Scoped neighbour = onTheSamePartition(backlog, "neighbour-");
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_OUTBOX_MESSAGES", "64"));
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            RelayConnection watcher = cluster.connect(0);
            Frames watched = new Frames();
            watcher.addListener(watched);
            watcher.subscribe(backlog.name()).get(10, TimeUnit.SECONDS);
            watcher.subscribe(neighbour.name()).get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 5; seq++) {
                writer.tick(neighbour, seq, 10);
            }
            // Far more than a socket's buffers hold: a client that stopped reading cannot take it all.
            for (int seq = 0; seq < 600; seq++) {
                writer.tick(backlog, seq, 32 * 1024);
            }
            await().atMost(WAIT).until(() -> watched.events(neighbour.name()).size() == 5
                && watched.events(backlog.name()).size() == 600);

            // More stalled resumes than the relay has history threads.
            String backlogStart = watched.events(backlog.name()).get(0).pos();
            for (int i = 0; i < 6; i++) {
                StalledReader.resume(cluster, backlog.name(), backlogStart);
            }
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            Envelope resumed = client.request("subscribe", Json.object().put("channel", neighbour.name())
                .put("since", watched.events(neighbour.name()).get(0).pos())).get(30, TimeUnit.SECONDS);

            assertThat(resumed.data().path("recovered").asBoolean()).isTrue();
            await().atMost(WAIT).until(() -> frames.events(neighbour.name()).size() == 4);
            assertThat(seqs(frames.events(neighbour.name()))).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void shouldGiveASubscriptionMadeAgainWhileItsResumeWaitsOnlyWhatItAskedFor(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "again");
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_OUTBOX_MESSAGES", "64"));
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            Frames watched = backlog(cluster, writer, channel);

            // The resume stalls on a client that stopped reading; meanwhile it unsubscribes and subscribes again,
            // this time for new events only.
            StalledReader client = StalledReader.resume(cluster, channel.name(),
                watched.events(channel.name()).get(0).pos());
            client.send("s2", "unsubscribe", Json.object().put("channel", channel.name()));
            client.send("s3", "subscribe", Json.object().put("channel", channel.name()));
            client.resumeReading();
            await().atMost(WAIT).until(() -> client.answered("s3"));
            writer.tick(channel, 600, 10);

            await().atMost(WAIT).until(() -> !client.eventsAfter("s3").isEmpty());
            assertThat(client.eventsAfter("s3")).extracting(e -> e.path("data").path("seq").asInt())
                .containsExactly(600);
            assertThat(client.closed()).isNotDone();
        }
    }

    @Test
    void shouldResumeEventsLargerThanTheOutboxHoldsAtOnceWithoutClosingTheClient(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "large");
        // Default limits: 1,024 frames and 4 MiB; half the frames of 32 KiB would be 16 MiB.
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of());
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            Frames watched = backlog(cluster, writer, channel);

            StalledReader client = StalledReader.resume(cluster, channel.name(),
                watched.events(channel.name()).get(0).pos());
            // Far more than the socket's buffers take: the outbox fills while the client does not read.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> !client.closed().isDone());
            client.resumeReading();

            await().atMost(WAIT).until(() -> client.events().size() == 599 || client.closed().isDone());
            assertThat(client.closed()).isNotDone();
            assertThat(client.events()).extracting(e -> e.path("data").path("seq").asInt())
                .containsExactlyElementsOf(IntStream.range(1, 600).boxed().toList());
        }
    }

    @Test
    void shouldResumeWhileReplaysAtTheirOriginalPaceTakeEveryReplayThread(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped paced = Channel.of(Namespace.WORKFLOW, "paced");
        Channel.Scoped resumed = Channel.of(Namespace.WORKFLOW, "resumed");
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of());
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            // An hour apart: a replay at the original pace waits an hour after the first.
            long now = System.currentTimeMillis();
            writer.tickAt(paced, 0, 10, now - 7_200_000);
            writer.tickAt(paced, 1, 10, now - 3_600_000);
            RelayConnection watcher = cluster.connect(0);
            Frames watched = new Frames();
            watcher.addListener(watched);
            watcher.subscribe(resumed.name()).get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 3; seq++) {
                writer.tick(resumed, seq, 10);
            }
            await().atMost(WAIT).until(() -> watched.events(resumed.name()).size() == 3);

            RelayConnection replayer = cluster.connect(0);
            Frames replayed = new Frames();
            replayer.addListener(replayed);
            for (int i = 0; i < 6; i++) {
                replayer.request("replay", Json.object().put("channel", paced.name())
                    .put("from", "1970-01-01T00:00:00Z").put("speed", 1));
            }
            await().atMost(WAIT).until(() -> replayed.events(paced.name()).size() >= 4);
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            Envelope response = client.request("subscribe", Json.object().put("channel", resumed.name())
                .put("since", watched.events(resumed.name()).get(0).pos())).get(30, TimeUnit.SECONDS);

            assertThat(response.data().path("recovered").asBoolean()).isTrue();
            await().atMost(WAIT).until(() -> frames.events(resumed.name()).size() == 2);
            assertThat(seqs(frames.events(resumed.name()))).containsExactly(1, 2);
        }
    }

    @Test
    void shouldGiveResumesThatArriveWhileTheirPartitionIsReadExactlyTheirEvents(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "long-read");
        Channel.Scoped neighbour = onTheSamePartition(channel, "beside-");
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of());
             EventWriter writer = new EventWriter(kafka.bootstrapServers(), prefix.value())) {
            RelayConnection watcher = cluster.connect(0);
            Frames watched = new Frames();
            watcher.addListener(watched);
            watcher.subscribe(neighbour.name()).get(10, TimeUnit.SECONDS);
            writer.tick(neighbour, 0, 10);
            Frames backlog = backlog(cluster, writer, channel);
            writer.tick(neighbour, 1, 10);
            await().atMost(WAIT).until(() -> watched.events(neighbour.name()).size() == 2);

            // The first resume reads 19 MB of the partition; the others come once it is answered, while that read
            // goes on: from positions it has passed, has not reached yet, and near its end, and of another channel.
            RelayConnection first = cluster.connect(0);
            Frames firstFrames = new Frames();
            first.addListener(firstFrames);
            List<RelayConnection> later = new ArrayList<>();
            List<Frames> laterFrames = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RelayConnection client = cluster.connect(0);
                Frames frames = new Frames();
                client.addListener(frames);
                later.add(client);
                laterFrames.add(frames);
            }
            int[] since = {10, 300, 550, 598};
            assertThat(first.request("subscribe", Json.object().put("channel", channel.name())
                .put("since", backlog.events(channel.name()).get(0).pos())).get(30, TimeUnit.SECONDS)
                .data().path("recovered").asBoolean()).isTrue();
            List<CompletableFuture<Envelope>> answers = new ArrayList<>();
            for (int i = 0; i < since.length; i++) {
                answers.add(later.get(i).request("subscribe", Json.object().put("channel", channel.name())
                    .put("since", backlog.events(channel.name()).get(since[i]).pos())));
            }
            answers.add(later.get(4).request("subscribe", Json.object().put("channel", neighbour.name())
                .put("since", watched.events(neighbour.name()).get(0).pos())));
            for (CompletableFuture<Envelope> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS).data().path("recovered").asBoolean()).isTrue();
            }
            writer.tick(channel, 600, 10);
            writer.tick(neighbour, 2, 10);

            await().atMost(WAIT).until(() -> firstFrames.events(channel.name()).size() >= 600
                && IntStream.range(0, since.length)
                    .allMatch(i -> laterFrames.get(i).events(channel.name()).size() >= 600 - since[i])
                && laterFrames.get(4).events(neighbour.name()).size() >= 2);
            assertThat(seqs(firstFrames.events(channel.name())))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 600).boxed().toList());
            for (int i = 0; i < since.length; i++) {
                assertThat(seqs(laterFrames.get(i).events(channel.name()))).as("resumed after seq %d", since[i])
                    .containsExactlyElementsOf(IntStream.rangeClosed(since[i] + 1, 600).boxed().toList());
            }
            assertThat(seqs(laterFrames.get(4).events(neighbour.name()))).containsExactly(1, 2);
        }
    }

    /** Writes 600 events of 32 KiB to a channel, far more than a socket's buffers take; returns what a watcher saw. */
    private static Frames backlog(LocalCluster cluster, EventWriter writer, Channel.Scoped channel) throws Exception {
        RelayConnection watcher = cluster.connect(0);
        Frames watched = new Frames();
        watcher.addListener(watched);
        watcher.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
        for (int seq = 0; seq < 600; seq++) {
            writer.tick(channel, seq, 32 * 1024);
        }
        await().atMost(WAIT).until(() -> watched.events(channel.name()).size() == 600);
        return watched;
    }

    /** A workflow channel named {@code prefix<n>} whose events share a partition with {@code channel}'s. */
    private static Channel.Scoped onTheSamePartition(Channel.Scoped channel, String prefix) {
        return IntStream.range(0, 100)
            .mapToObj(i -> Channel.of(Namespace.WORKFLOW, prefix + i))
            .filter(other -> Partitions.forKey(other.name(), 3) == Partitions.forKey(channel.name(), 3))
            .findFirst().orElseThrow();
    }

    /** The seq of the last event client {@code c} had of channel {@code i}. */
    private static int lastSeen(int c, int i) {
        return (c * 7 + i) % BEFORE;
    }

    private static void publish(EventWriter writer, List<Channel.Scoped> channels, int from, int to) {
        try {
            for (int seq = from; seq < to; seq++) {
                for (Channel.Scoped channel : channels) {
                    writer.tick(channel, seq, 10);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> seqs(List<Envelope> events) {
        return events.stream().map(e -> e.data().path("seq").asInt()).toList();
    }
}

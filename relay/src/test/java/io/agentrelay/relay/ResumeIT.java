package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith({KafkaExtension.class, ClusterExtension.class})
@ClusterExtension.Relays(2)
class ResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    private EventWriter writer;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.kafka = kafka;
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
    void shouldResumeOnAnotherNodeWithNoGapAndNoDuplicateWhileEventsKeepComing() throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "busy");
        Channel.Scoped neighbour = Channel.of(Namespace.WORKFLOW, "neighbour");
        int total = 400;
        Thread publisher = new Thread(() -> {
            try {
                for (int seq = 0; seq < total; seq++) {
                    writer.tick(channel, seq, 10);
                    writer.tick(neighbour, seq, 10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        RelayConnection first = cluster.connect(0);
        Frames before = new Frames();
        first.addListener(before);
        first.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
        publisher.start();
        await().atMost(WAIT).until(() -> before.events(channel.name()).size() >= 50);
        first.close();
        List<Envelope> received = before.events(channel.name());
        String lastPos = received.get(received.size() - 1).pos();

        RelayConnection second = cluster.connect(1);
        Frames after = new Frames();
        second.addListener(after);
        Envelope resumed = second.request("subscribe", Json.object().put("channel", channel.name()).put("since", lastPos))
            .get(10, TimeUnit.SECONDS);
        publisher.join(WAIT.toMillis());

        assertThat(resumed.data().path("recovered").asBoolean()).isTrue();
        await().atMost(WAIT).until(() -> seqs(after.events(channel.name())).contains(total - 1));
        List<Integer> union = new ArrayList<>(seqs(received));
        union.addAll(seqs(after.events(channel.name())));
        assertThat(union).containsExactlyElementsOf(IntStream.range(0, total).boxed().toList());
        assertThat(after.events(channel.name())).extracting(e -> Position.decode(e.pos()).offset())
            .isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldSayNotRecoveredWhenThePositionIsOlderThanRetention() throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "old");
        List<Long> offsets = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
            offsets.add(writer.tick(channel, seq, 10).offset());
        }
        Position third = Position.before(incarnationOf(channel), partitionOf(channel), offsets.get(2) + 1);
        deleteRecordsBefore(channel, offsets.get(6));

        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        Envelope response = client.request("subscribe",
            Json.object().put("channel", channel.name()).put("since", third.encode())).get(10, TimeUnit.SECONDS);

        assertThat(response.data().path("recovered").asBoolean()).isFalse();
        assertThat(response.data().path("reason").asText()).contains("older than the retention");
        await().atMost(WAIT).until(() -> frames.events(channel.name()).size() == 4);
        assertThat(seqs(frames.events(channel.name()))).containsExactly(6, 7, 8, 9);
    }

    @Test
    void shouldCloseToResumeAgainWhenRetentionDeletesWhatAResumeStillHadToRead() throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "retention-mid-read");
        List<Long> offsets = new ArrayList<>();
        for (int seq = 0; seq < 600; seq++) {
            offsets.add(writer.tick(channel, seq, 32 * 1024).offset());
        }
        Position first = Position.before(incarnationOf(channel), partitionOf(channel), offsets.get(0) + 1);
        StalledReader client = StalledReader.resume(cluster, channel.name(), first.encode());
        // The resume answered recovered: true and stalls on the client; meanwhile retention deletes most of the rest.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> !client.closed().isDone());
        deleteRecordsBefore(channel, offsets.get(500));
        client.resumeReading();

        // Not a silent jump to the end: the client is told to resume again, and what it got has no gap.
        assertThat(client.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS).code()).isEqualTo(1013);
        List<Integer> got = client.events().stream().map(e -> e.path("data").path("seq").asInt()).toList();
        assertThat(got).containsExactlyElementsOf(IntStream.rangeClosed(1, got.size()).boxed().toList());
    }

    @Test
    void shouldSayNotRecoveredForAPositionFromAnotherTopicIncarnation() throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "recreated");
        writer.tick(channel, 0, 10);
        // An offset far beyond this channel's: none of its live events may be taken for ones the client has.
        Position foreign = new Position("AAAAAAAAAAAAAAAAAAAAAA", partitionOf(channel), 1_000);

        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        Envelope response = client.request("subscribe",
            Json.object().put("channel", channel.name()).put("since", foreign.encode())).get(10, TimeUnit.SECONDS);
        writer.tick(channel, 1, 10);

        assertThat(response.data().path("recovered").asBoolean()).isFalse();
        assertThat(response.data().path("reason").asText()).contains("recreated");
        await().atMost(WAIT).until(() -> seqs(frames.events(channel.name())).contains(1));
        assertThat(seqs(frames.events(channel.name()))).containsExactly(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {1_000, Long.MAX_VALUE})
    void shouldFollowLiveFromTheEndWhenThePositionIsAheadOfThePartition(long aheadOffset) throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "ahead");
        writer.tick(channel, 0, 10);
        Position ahead = new Position(incarnationOf(channel), partitionOf(channel), aheadOffset);

        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        Envelope response = client.request("subscribe",
            Json.object().put("channel", channel.name()).put("since", ahead.encode())).get(10, TimeUnit.SECONDS);
        writer.tick(channel, 1, 10);
        writer.tick(channel, 2, 10);

        assertThat(response.data().path("recovered").asBoolean()).isFalse();
        assertThat(response.data().path("reason").asText()).contains("ahead of the channel's partition");
        await().atMost(WAIT).until(() -> seqs(frames.events(channel.name())).contains(2));
        assertThat(seqs(frames.events(channel.name()))).containsExactly(1, 2);
    }

    private static List<Integer> seqs(List<Envelope> events) {
        return events.stream().map(e -> e.data().path("seq").asInt()).toList();
    }

    private String incarnationOf(Channel.Scoped channel) throws Exception {
        try (Admin admin = admin()) {
            String topic = new Topics(cluster.prefix().value()).events(channel.namespace());
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).topicId().toString();
        }
    }

    private int partitionOf(Channel.Scoped channel) {
        return io.agentrelay.runtime.kafka.Partitions.forKey(channel.name(), 3);
    }

    private void deleteRecordsBefore(Channel.Scoped channel, long offset) throws Exception {
        try (Admin admin = admin()) {
            TopicPartition partition = new TopicPartition(new Topics(cluster.prefix().value()).events(channel.namespace()),
                partitionOf(channel));
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(offset))).all()
                .get(10, TimeUnit.SECONDS);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}

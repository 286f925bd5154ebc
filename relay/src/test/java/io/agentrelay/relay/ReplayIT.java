package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.runtime.kafka.Partitions;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class ReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long GAP_MS = 300;

    private LocalCluster cluster;
    private EventWriter writer;
    private final Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "history");
    private final Channel.Scoped other = Channel.of(Namespace.WORKFLOW, "other");
    private final List<RecordMetadata> written = new ArrayList<>();
    private final long start = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) throws Exception {
        this.cluster = cluster;
        writer = new EventWriter(kafka.bootstrapServers(), cluster.prefix().value());
        for (int seq = 0; seq < 10; seq++) {
            written.add(writer.tickAt(channel, seq, 10, start + seq * GAP_MS));
            writer.tickAt(other, seq, 10, start + seq * GAP_MS);
        }
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void shouldReplayExactlyTheChannelsEventsBetweenTwoPositionsAsFastAsPossible() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);

        Envelope started = client.request("replay", Json.object().put("channel", channel.name())
            .put("from", pos(2)).put("to", pos(7)).put("speed", 0)).get(10, TimeUnit.SECONDS);

        assertThat(started.data().path("status").asText()).isEqualTo("replaying");
        await().atMost(WAIT).until(() -> frames.eventNames(channel.name()).contains("replay.completed"));
        List<Envelope> events = frames.events(channel.name());
        assertThat(events).extracting(Envelope::event).containsExactly(
            "tick", "tick", "tick", "tick", "tick", "tick", "replay.completed");
        assertThat(events.subList(0, 6)).extracting(e -> e.data().path("seq").asInt()).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(events).allMatch(e -> Boolean.TRUE.equals(e.replayed()));
        Envelope completed = events.get(6);
        assertThat(completed.data().path("count").asLong()).isEqualTo(6);
        assertThat(completed.correlationId()).isEqualTo(started.correlationId());
    }

    @Test
    void shouldReplayBetweenTwoTimesAndKeepLiveEventsApart() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe(channel.name()).get(10, TimeUnit.SECONDS);

        client.request("replay", Json.object().put("channel", channel.name())
            .put("from", Instant.ofEpochMilli(start + 5 * GAP_MS).toString())
            .put("to", Instant.ofEpochMilli(start + 8 * GAP_MS).toString())).get(10, TimeUnit.SECONDS);
        writer.tick(channel, 100, 10);

        await().atMost(WAIT).until(() -> frames.eventNames(channel.name()).contains("replay.completed")
            && frames.events(channel.name()).stream().anyMatch(e -> e.data().path("seq").asInt() == 100));
        List<Envelope> replayed = frames.events(channel.name()).stream()
            .filter(e -> Boolean.TRUE.equals(e.replayed()) && e.event().equals("tick")).toList();
        List<Envelope> live = frames.events(channel.name()).stream().filter(e -> e.replayed() == null).toList();
        assertThat(replayed).extracting(e -> e.data().path("seq").asInt()).containsExactly(5, 6, 7, 8);
        assertThat(live).extracting(e -> e.data().path("seq").asInt()).containsExactly(100);
    }

    @Test
    void shouldReplayAtTheOriginalPaceAtSpeedOne() throws Exception {
        RelayConnection client = cluster.connect(0);
        List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
        Frames frames = new Frames();
        client.addListener(frame -> {
            if ("tick".equals(frame.event())) {
                arrivals.add(System.nanoTime());
            }
        });
        client.addListener(frames);

        client.request("replay", Json.object().put("channel", channel.name())
            .put("from", pos(0)).put("to", pos(4)).put("speed", 1)).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> frames.eventNames(channel.name()).contains("replay.completed"));
        assertThat(arrivals).hasSize(5);
        // Each gap is waited out (as fast as possible, they would come within milliseconds), and all of them at the
        // original pace. Measured where the client receives, each gap may also lose what delayed the frame before it
        // (a busy test machine), hence the tolerance; the whole span loses only what delayed the first.
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 1)))
                .as("gap before event %d", i).isGreaterThanOrEqualTo(Duration.ofMillis(GAP_MS - 100));
        }
        assertThat(Duration.ofNanos(arrivals.get(4) - arrivals.get(0)))
            .isGreaterThanOrEqualTo(Duration.ofMillis(4 * GAP_MS - 100))
            .isLessThan(Duration.ofMillis(4 * GAP_MS + 2_000));
    }

    @Test
    void shouldReplayEverythingFromATimeBeforeKafkaKeptAny() throws Exception {
        List<Envelope> events = replayFrom("0000-01-01T00:00:00Z");

        assertThat(events.subList(0, 10)).extracting(e -> e.data().path("seq").asInt())
            .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(events.get(10).data().path("count").asLong()).isEqualTo(10);
    }

    @Test
    void shouldCompleteAReplayFromTheLatestTimeThereIsWithNothing() throws Exception {
        List<Envelope> events = replayFrom("+1000000000-12-31T23:59:59.999999999Z");

        assertThat(events).singleElement()
            .satisfies(completed -> assertThat(completed.data().path("count").asLong()).isZero());
    }

    @Test
    void shouldRefuseAReplayFromAPositionOfAnotherPartition() throws Exception {
        RelayConnection client = cluster.connect(0);
        Position ofChannel = Position.decode(pos(3));
        Position elsewhere = new Position(ofChannel.incarnation(), (ofChannel.partition() + 1) % 3, 0);

        assertThatThrownBy(() -> client.request("replay", Json.object().put("channel", channel.name())
                .put("from", elsewhere.encode())).get(10, TimeUnit.SECONDS))
            .cause().isInstanceOfSatisfying(RelayErrorException.class, error -> {
                assertThat(error.errorCode()).isEqualTo("INVALID_REQUEST");
                assertThat(error.getMessage()).contains("not a position of this channel");
            });
    }

    @Test
    void shouldReplayAWholeNamespaceOrGlobalFromARelativeTimeKeepingOnlyTheEventsThatMatch() throws Exception {
        Channel.Scoped session = Channel.of(Namespace.SESSION, "chat-1");
        for (String id : List.of("a", "b", "c")) {
            Channel.Scoped workflow = Channel.of(Namespace.WORKFLOW, "ns-" + id);
            writer.write(Event.of(workflow, "node.failed", Json.object().put("tool", "read_file").put("id", id)));
            writer.write(Event.of(workflow, "node.failed", Json.object().put("tool", "echo").put("id", id)));
            writer.write(Event.of(workflow, "workflow.failed", Json.object().put("tool", "read_file").put("id", id)));
            writer.write(Event.of(workflow, "node.started", Json.object().put("tool", "read_file").put("id", id)));
        }
        writer.write(Event.of(session, "node.failed", Json.object().put("tool", "read_file").put("id", "s")));
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);

        client.request("replay", Json.object().put("channel", "workflow:*").put("from", "-1h")
            .put("events", "*.fail*").set("where", Json.object().put("data.tool", "read_file")))
            .get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames("workflow:*").contains("replay.completed"));
        List<Envelope> matched = frames.all().stream().filter(e -> Boolean.TRUE.equals(e.replayed())
            && !"replay.completed".equals(e.event())).toList();
        assertThat(matched).extracting(e -> e.room() + " " + e.event()).containsExactlyInAnyOrder(
            "workflow:ns-a node.failed", "workflow:ns-a workflow.failed", "workflow:ns-b node.failed",
            "workflow:ns-b workflow.failed", "workflow:ns-c node.failed", "workflow:ns-c workflow.failed");
        assertThat(matched).allSatisfy(e -> assertThat(e.pos()).isNotBlank());
        assertThat(frames.events("workflow:*").get(0).data().path("count").asLong()).isEqualTo(6);

        client.request("replay", Json.object().put("channel", "global").put("from", "-15m")
            .put("events", "node.failed").set("where", Json.object().put("data.id", "s"))).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames("global").contains("replay.completed"));
        assertThat(frames.events(session.name())).extracting(Envelope::event).containsExactly("node.failed");
    }

    @Test
    void shouldRefuseAPositionAsTheBoundOfANamespaceReplay() throws Exception {
        RelayConnection client = cluster.connect(0);

        assertThatThrownBy(() -> client.request("replay", Json.object().put("channel", "workflow:*")
                .put("from", pos(3))).get(10, TimeUnit.SECONDS))
            .cause().isInstanceOfSatisfying(RelayErrorException.class, error -> {
                assertThat(error.errorCode()).isEqualTo("INVALID_REQUEST");
                assertThat(error.getMessage()).contains("between times");
            });
        assertThatThrownBy(() -> client.request("replay", Json.object().put("channel", "conn:*")
                .put("from", "-1h")).get(10, TimeUnit.SECONDS))
            .cause().isInstanceOfSatisfying(RelayErrorException.class,
                error -> assertThat(error.errorCode()).isEqualTo("INVALID_CHANNEL"));
    }

    /** Replays the channel from a bound to its end, and returns its events up to {@code replay.completed}. */
    private List<Envelope> replayFrom(String from) throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.request("replay", Json.object().put("channel", channel.name()).put("from", from))
            .get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames(channel.name()).contains("replay.completed"));
        return frames.events(channel.name());
    }

    private String pos(int seq) throws Exception {
        RecordMetadata metadata = written.get(seq);
        return new Position(incarnation(), metadata.partition(), metadata.offset()).encode();
    }

    /** A plain subscribe answers with a pos of the channel's partition, which names the topic's incarnation. */
    private String incarnation() throws Exception {
        RelayConnection probe = cluster.connect(0);
        Position live = Position.decode(probe.subscribe(channel.name()).get(10, TimeUnit.SECONDS).data().path("pos")
            .asText());
        assertThat(live.partition()).isEqualTo(Partitions.forKey(channel.name(), 3));
        return live.incarnation();
    }
}

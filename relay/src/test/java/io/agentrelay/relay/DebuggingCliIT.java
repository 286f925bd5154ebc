package io.agentrelay.relay;

import static io.agentrelay.relay.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debugging after the fact with the {@code relay} CLI, against real workflows on a real broker and relay: find the
 * failed ones, inspect one (straight from Kafka and through a relay), replay and follow a namespace with filters.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class DebuggingCliIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRACE_ID = "[0-9a-f]{32}";

    @TempDir
    Path ownSandbox;

    @Test
    void findAndInspectShouldTellWhichWorkflowFailedWhereAndWhyFromKafkaAndThroughARelay(EmbeddedKafka kafka,
                                                                                           LocalCluster cluster)
        throws Exception {
        runToEnd(cluster, failing("dbg-fail"), "workflow.failed");
        runToEnd(cluster, Workflows.echo("dbg-ok", "fine"), "workflow.completed");
        String[] kafkaSource = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
            cluster.prefix().value()};
        String[] relaySource = {"--url", cluster.webSocket(0).toString()};

        CliRun found = run(with(new String[] {"find", "--status", "failed", "--since", "-15m"}, kafkaSource));
        assertThat(found.exitCode()).as(found.err()).isZero();
        assertThat(found.out()).contains("dbg-fail", "failed", "node 'broken' failed: disk full").doesNotContain("dbg-ok");
        assertThat(found.err()).contains("1 workflows failed between");
        CliRun foundThroughRelay = run(with(new String[] {"find", "--since", "-15m", "--json"}, relaySource));
        assertThat(foundThroughRelay.lines()).extracting(line -> line.path("id").asText() + " "
            + line.path("status").asText() + " " + line.path("reason").asText(""))
            .contains("dbg-fail failed node 'broken' failed: disk full", "dbg-ok completed ");
        assertThat(foundThroughRelay.lines()).allSatisfy(line -> assertThat(line.has("duration_ms")).isTrue());

        CliRun table = run(with(new String[] {"inspect", "workflow:dbg-fail"}, kafkaSource));
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("workflow dbg-fail: failed after", "error: node 'broken' failed: disk full",
            "fetch", "completed", "broken", "executor-0").containsPattern("trace ids: " + TRACE_ID);
        CliRun json = run(with(new String[] {"inspect", "workflow:dbg-fail", "--json"}, relaySource));
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode timeline = json.json();
        assertThat(timeline.path("status").asText()).isEqualTo("failed");
        assertThat(timeline.path("failed_node").asText()).isEqualTo("broken");
        assertThat(timeline.path("nodes")).extracting(node -> node.path("node_id").asText() + " "
                + node.path("attempts").get(0).path("outcome").asText() + " "
                + node.path("attempts").get(0).path("executor").asText())
            .containsExactly("fetch completed executor-0", "broken failed executor-0");
        assertThat(timeline.path("nodes").get(1).path("attempts").get(0).path("error").asText())
            .isEqualTo("disk full");
        assertThat(timeline.path("trace_ids").get(0).asText()).matches(TRACE_ID);

        CliRun missing = run(with(new String[] {"inspect", "workflow:never-ran"}, kafkaSource));
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("no events of workflow:never-ran");
    }

    @Test
    void findShouldListSessionsAndPanelsWithTheirStatusFromKafkaAndThroughARelay(EmbeddedKafka kafka,
                                                                                 LocalCluster cluster)
        throws Exception {
        runToEnd(cluster, "workflow:dbg-s-bad", "workflow.failed", () -> NexusPanelsIT.post(cluster, "/api/sessions",
            Json.object().put("session_id", "dbg-s-bad").put("query", "Read the file missing.txt"), null));
        runToEnd(cluster, "workflow:dbg-s-ok", "workflow.completed", () -> NexusPanelsIT.post(cluster,
            "/api/sessions", Json.object().put("session_id", "dbg-s-ok").put("query", "Echo hello"), null));
        runToEnd(cluster, Workflows.echo("dbg-not-a-session", "plain"), "workflow.completed");
        ObjectNode panel = Json.object().put("id", "dbg-panel");
        panel.putObject("state").put("count", 0);
        panel.putObject("tools").putObject("increment").put("handler", "add").putObject("params").put("path", "count");
        assertThat(NexusPanelsIT.post(cluster, "/api/panels", panel, null).statusCode()).isEqualTo(201);
        String[] kafkaSource = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
            cluster.prefix().value()};

        CliRun failed = run(with(new String[] {"find", "sessions", "--status", "failed", "--since", "-15m"},
            kafkaSource));
        assertThat(failed.exitCode()).as(failed.err()).isZero();
        assertThat(failed.out()).startsWith("SESSION").contains("dbg-s-bad", "failed", "missing.txt")
            .doesNotContain("dbg-s-ok", "dbg-not-a-session");
        assertThat(failed.err()).contains("1 sessions failed between");
        CliRun sessions = run("find", "sessions", "--since", "-15m", "--json", "--url",
            cluster.webSocket(0).toString());
        assertThat(sessions.lines()).extracting(line -> line.path("id").asText() + " " + line.path("status").asText())
            .containsExactlyInAnyOrder("dbg-s-bad failed", "dbg-s-ok completed");
        assertThat(sessions.lines()).allSatisfy(line -> assertThat(line.path("duration_ms").isNumber()).isTrue());

        for (String[] source : List.of(kafkaSource, new String[] {"--url", cluster.webSocket(0).toString()})) {
            CliRun panels = run(with(new String[] {"find", "panels", "--since", "-15m", "--json"}, source));
            assertThat(panels.exitCode()).as(panels.err()).isZero();
            assertThat(panels.lines()).filteredOn(line -> line.path("id").asText().equals("dbg-panel"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("status").asText()).isEqualTo("active");
                    assertThat(line.path("channel").asText()).isEqualTo("panel:dbg-panel");
                    assertThat(line.path("started_at").asText()).isNotBlank();
                });
        }
    }

    @Test
    void inspectShouldSetTheLastSnapshotBesideTheEventsAndSaySoWhenTheyPartOrTheEventsAreGone(EmbeddedKafka kafka,
                                                                                           LocalCluster cluster)
        throws Exception {
        runToEnd(cluster, failing("dbg-snap"), "workflow.failed");
        String[] kafkaSource = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
            cluster.prefix().value()};
        Topics topics = new Topics(cluster.prefix().value());

        JsonNode fromKafka = run(with(new String[] {"inspect", "workflow:dbg-snap", "--json"}, kafkaSource)).json();
        assertThat(fromKafka.path("snapshot").path("source").asText()).isEqualTo("state topic");
        assertThat(fromKafka.path("snapshot").path("status").asText()).isEqualTo("failed");
        assertThat(fromKafka.path("snapshot").path("nodes").path("broken").asText()).isEqualTo("failed");
        assertThat(fromKafka.path("disagreements")).isEmpty();
        JsonNode throughRelay = run("inspect", "workflow:dbg-snap", "--json", "--url",
            cluster.webSocket(0).toString()).json();
        assertThat(throughRelay.path("snapshot").path("source").asText()).isEqualTo("get_workflow_status");
        assertThat(throughRelay.path("snapshot").path("status").asText()).isEqualTo("failed");

        // A snapshot that tells another end than the events, as an owner with a bug could leave.
        WorkflowSnapshot completed = new WorkflowSnapshot("dbg-snap", "", RunState.COMPLETED, 0, 2, Instant.now(),
            "workflow:dbg-snap", "c-1", null, Map.of("fetch", NodeState.COMPLETED, "broken", NodeState.COMPLETED),
            Map.of(), null, null, null, null);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
            new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.state(), WorkflowSnapshot.key("dbg-snap"),
                Json.toBytes(completed))).get(10, TimeUnit.SECONDS);
        }
        CliRun parted = run(with(new String[] {"inspect", "workflow:dbg-snap"}, kafkaSource));
        assertThat(parted.exitCode()).as(parted.err()).isZero();
        assertThat(parted.out()).contains("last state (state topic): completed",
            "DISAGREES: the events say failed, the state topic says completed",
            "DISAGREES: node broken: the events say failed, the state topic says completed");

        // --from after the workflow's start: its first events are not read, but retention deleted nothing.
        RecordMetadata late;
        try (EventWriter writer = new EventWriter(kafka.bootstrapServers(), cluster.prefix().value())) {
            late = writer.tick(Channel.of(Namespace.WORKFLOW, "dbg-snap"), 1, 0);
        }
        CliRun fromLater = run(with(new String[] {"inspect", "workflow:dbg-snap", "--from",
            Instant.ofEpochMilli(late.timestamp()).toString()}, kafkaSource));
        assertThat(fromLater.exitCode()).as(fromLater.err()).isZero();
        assertThat(fromLater.out()).contains("start after the workflow did", "--from")
            .doesNotContain("retention deleted");

        // Retention deletes the events; compaction keeps the snapshot.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers()))) {
            String events = topics.events(Namespace.WORKFLOW);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(events)).allTopicNames().get(10, TimeUnit.SECONDS).get(events).partitions()
                .forEach(partition -> ends.put(new TopicPartition(events, partition.partition()), OffsetSpec.latest()));
            Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
            admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).forEach((partition, end) ->
                all.put(partition, RecordsToDelete.beforeOffset(end.offset())));
            admin.deleteRecords(all).all().get(10, TimeUnit.SECONDS);
        }
        CliRun cut = run(with(new String[] {"inspect", "workflow:dbg-snap"}, kafkaSource));
        assertThat(cut.exitCode()).as(cut.err()).isZero();
        assertThat(cut.out()).contains("no events of workflow:dbg-snap", "retention deleted them",
            "last state (state topic): completed", "broken completed");
        assertThat(run(with(new String[] {"inspect", "workflow:dbg-snap", "--json"}, kafkaSource)).json()
            .path("events_cut").asBoolean()).isTrue();
    }

    @Test
    void replayShouldReadANamespaceFromARelativeTimeKeepingTheEventsThatMatch(EmbeddedKafka kafka,
                                                                              LocalCluster cluster)
        throws Exception {
        runToEnd(cluster, failing("dbg-a"), "workflow.failed");
        runToEnd(cluster, Workflows.echo("dbg-b", "fine"), "workflow.completed");
        String[] filters = {"replay", "workflow:*", "--from", "-15m", "--event", "node.start*",
            "--where", "data.tool=echo"};

        CliRun fromKafka = run(with(filters, "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
            cluster.prefix().value()));
        CliRun throughRelay = run(with(filters, "--url", cluster.webSocket(0).toString()));

        for (CliRun replay : List.of(fromKafka, throughRelay)) {
            assertThat(replay.exitCode()).as(replay.err()).isZero();
            assertThat(replay.lines()).extracting(line -> line.path("room").asText() + " "
                + line.path("data").path("node_id").asText())
                .containsExactlyInAnyOrder("workflow:dbg-a fetch", "workflow:dbg-b only");
            assertThat(replay.lines()).allSatisfy(line -> {
                assertThat(line.path("event").asText()).isEqualTo("node.started");
                assertThat(line.path("pos").asText()).isNotBlank();
            });
        }
        CliRun table = run("replay", "workflow:*", "--from", "-15m", "--event", "workflow.*ed", "--format", "table",
            "--url", cluster.webSocket(0).toString());
        assertThat(table.out().lines().findFirst()).get().asString().startsWith("TIME").contains("CHANNEL", "EVENT");
        assertThat(table.out()).contains("workflow:dbg-a", "workflow.failed", "workflow:dbg-b", "workflow.completed")
            .doesNotContain("node.started");
        CliRun one = run("replay", "workflow:*", "--from", "-15m", "--max-events", "1", "--url",
            cluster.webSocket(0).toString());
        assertThat(one.lines()).hasSize(1);
        CliRun badTime = run("replay", "workflow:*", "--from", "an hour ago", "--url",
            cluster.webSocket(0).toString());
        assertThat(badTime.exitCode()).isEqualTo(2);
        assertThat(badTime.err()).contains("--from must be a time such as -15m");
    }

    @Test
    void tailShouldFollowANamespaceFromARelativeTimeWithItsHistoryFirst(LocalCluster cluster) throws Exception {
        runToEnd(cluster, Workflows.echo("dbg-before", "earlier"), "workflow.completed");
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(() -> run("tail", "workflow:*", "--from",
            "-15m", "--event", "workflow.completed", "--max-events", "2", "--url", cluster.webSocket(0).toString()));
        await().atMost(WAIT).until(() -> connections(cluster) >= 1 || tail.isDone());

        runToEnd(cluster, Workflows.echo("dbg-after", "later"), "workflow.completed");

        CliRun followed = tail.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(followed.lines()).extracting(line -> line.path("room").asText())
            .containsExactly("workflow:dbg-before", "workflow:dbg-after");
    }

    @Test
    void tailShouldFollowANamespaceStraightFromKafkaWithItsHistoryFirstAndNoEventTwice(EmbeddedKafka kafka,
                                                                                      LocalCluster cluster)
        throws Exception {
        runToEnd(cluster, Workflows.echo("dbg-k-before", "earlier"), "workflow.completed");
        StringWriter out = new StringWriter();
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(() -> run(out, "tail", "workflow:*", "--from",
            "-15m", "--event", "workflow.completed", "--max-events", "2", "--bootstrap-servers",
            kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value()));
        await().atMost(WAIT).until(() -> out.toString().contains("dbg-k-before") || tail.isDone());

        runToEnd(cluster, Workflows.echo("dbg-k-after", "later"), "workflow.completed");

        CliRun followed = tail.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(new CliRun(0, out.toString(), "").lines()).extracting(line -> line.path("room").asText())
            .containsExactly("workflow:dbg-k-before", "workflow:dbg-k-after");
        CliRun byPosition = run("tail", "workflow:dbg-k-after", "--from", "abc.0.1", "--bootstrap-servers",
            kafka.bootstrapServers());
        assertThat(byPosition.exitCode()).isEqualTo(2);
        assertThat(byPosition.err()).contains("a pos resumes through a relay (--url)");
    }

    @Test
    void inspectShouldShowTheHandOverOfAWorkflowWhoseExecutorDiedMidRun() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew();
             LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), KafkaExtension.uniquePrefix(),
                 ownSandbox, 1, HandOver.QUICK)) {
            HandOver.run(cluster, "dbg-moved");

            CliRun inspect = run("inspect", "workflow:dbg-moved", "--json", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value());
            assertThat(inspect.exitCode()).as(inspect.err()).isZero();
            JsonNode timeline = inspect.json();
            assertThat(timeline.path("status").asText()).isEqualTo("completed");
            assertThat(timeline.path("handovers")).singleElement().satisfies(handover -> {
                assertThat(handover.path("from").asText()).isEqualTo("executor-0");
                assertThat(handover.path("to").asText()).isEqualTo("executor-1");
                assertThat(handover.path("node_id").asText()).isEqualTo("wait");
            });
            assertThat(timeline.path("nodes").get(0).path("attempts")).extracting(attempt ->
                    attempt.path("attempt").asInt() + " " + attempt.path("executor").asText() + " "
                        + attempt.path("outcome").asText())
                .containsExactly("1 executor-0 interrupted", "2 executor-1 completed");
            CliRun table = run("inspect", "workflow:dbg-moved", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", cluster.prefix().value());
            assertThat(table.out()).contains("hand-overs:", "executor-0 -> executor-1, starting wait");
        }
    }

    /** fetch (echo) → broken (fails with "disk full"). */
    private static ObjectNode failing(String workflowId) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        workflow.putArray("nodes").add(Workflows.node("fetch", "echo", Json.object().put("message", "x")))
            .add(Workflows.node("broken", "fail", Json.object().put("reason", "disk full")));
        workflow.putArray("edges").add(Workflows.edge("fetch", "broken"));
        return workflow;
    }

    /** Runs a workflow to its end. */
    private static void runToEnd(LocalCluster cluster, ObjectNode workflow, String end) throws Exception {
        runToEnd(cluster, "workflow:" + workflow.path("workflow_id").asText(), end, () -> {
            try (RelayConnection client = cluster.connect(0)) {
                return client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
            }
        });
    }

    /** Starts what runs on a channel, as start does, and waits for the channel's end event. */
    private static void runToEnd(LocalCluster cluster, String channel, String end, Callable<?> start)
        throws Exception {
        try (RelayConnection client = cluster.connect(0)) {
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe(channel).get(10, TimeUnit.SECONDS);
            start.call();
            await().atMost(WAIT).until(() -> frames.eventNames(channel).contains(end));
        }
    }

    private static int connections(LocalCluster cluster) throws Exception {
        HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(0, "/stats"))
            .build(), HttpResponse.BodyHandlers.ofString());
        return Json.readTree(stats.body()).path("connections").asInt();
    }

    private static String[] with(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}

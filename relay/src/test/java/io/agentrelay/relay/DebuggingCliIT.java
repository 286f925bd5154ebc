package io.agentrelay.relay;

import static io.agentrelay.relay.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
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
        assertThat(foundThroughRelay.lines()).extracting(line -> line.path("workflow_id").asText() + " "
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
    void inspectShouldShowTheHandOverOfAWorkflowWhoseExecutorDiedMidRun() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew();
             LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), KafkaExtension.uniquePrefix(),
                 ownSandbox, 1, Map.of("EXECUTOR_TRANSACTION_TIMEOUT_MS", "2000"))) {
            ObjectNode workflow = Json.object().put("workflow_id", "dbg-moved");
            workflow.putArray("nodes").add(Workflows.node("wait", "sleep", Json.object().put("ms", 3000)))
                .add(Workflows.node("after", "echo", Json.object().put("message", "done")));
            workflow.putArray("edges").add(Workflows.edge("wait", "after"));
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe("workflow:dbg-moved").get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> frames.eventNames("workflow:dbg-moved").contains("node.started"));

            cluster.startExecutor("executor-1");
            cluster.executor(0).abort();
            await().atMost(Duration.ofSeconds(90))
                .until(() -> frames.eventNames("workflow:dbg-moved").contains("workflow.completed"));

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
        String channel = "workflow:" + workflow.path("workflow_id").asText();
        try (RelayConnection client = cluster.connect(0)) {
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe(channel).get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
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

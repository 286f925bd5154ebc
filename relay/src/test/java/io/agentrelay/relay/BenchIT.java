package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.tools.cli.RelayCli;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The benchmarks' instruments against a real relay: {@code relay bench load} counts what {@code relay bench publish}
 * sent, exactly, across a resume storm, and measures commands end to end; {@code relay bench first-event} measures
 * each workflow it starts and the Kafka floor under it. Small sizes: the figures are the scripts'
 * business, the counting is this test's.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class BenchIT {

    private static final Pattern PUBLISHED = Pattern.compile("Published (\\d+) events");

    private EmbeddedKafka kafka;
    private LocalCluster cluster;
    @TempDir
    Path dir;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.kafka = kafka;
        this.cluster = cluster;
    }

    @Test
    void loadShouldReceiveEveryPublishedEventOnceAcrossAResumeStorm() throws Exception {
        Path json = dir.resolve("load.json");
        CompletableFuture<Run> load = loadOnceLive(20, "--url", cluster.webSocket(0).toString(), "--connections",
            "20", "--channel", "workflow:bench-storm", "--warmup", "0", "--duration", "7", "--resume-at", "2",
            "--json", json.toString());

        Run publish = run(new StringWriter(), "bench", "publish", "--bootstrap-servers", kafka.bootstrapServers(),
            "--topic-prefix", cluster.prefix().value(), "--channel", "workflow:bench-storm", "--rate", "50",
            "--duration", "4", "--payload", "20");
        Run loaded = load.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(publish.exitCode).as(publish.out).isZero();
        Matcher published = PUBLISHED.matcher(publish.out);
        assertThat(published.find()).as(publish.out).isTrue();
        long events = Long.parseLong(published.group(1));
        assertThat(loaded.exitCode).as(loaded.err).isZero();
        assertThat(loaded.err).contains("Resume storm: 20 of 20 clients live again");
        JsonNode figures = Json.readTree(Files.readAllBytes(json));
        assertThat(figures.path("opened").asInt()).isEqualTo(20);
        assertThat(figures.path("reconnects").asInt()).isEqualTo(20);
        assertThat(figures.path("missing").asLong()).isZero();
        assertThat(figures.path("duplicates").asLong()).isZero();
        assertThat(figures.path("events_total").asLong()).as("every event to every client, once").isEqualTo(events * 20);
        assertThat(figures.path("event_latency_ms").path("count").asLong()).isPositive();
        assertThat(figures.path("closes").size()).as("closes the generator did not ask for").isZero();
        assertThat(loaded.out).contains("events delivered", "event latency ms", "missing / repeated   0 / 0");
    }

    @Test
    void publishShouldWaitWithItsProducerReadyUntilItsStartFileExistsThenPublishToEveryClient() throws Exception {
        Path go = dir.resolve("publish.go");
        Path json = dir.resolve("started.json");
        // As the scenarios do: the publisher starts first, the clients connect meanwhile, the file says they are live.
        CompletableFuture<Run> publish = CompletableFuture.supplyAsync(() -> run(new StringWriter(), "bench",
            "publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value(),
            "--channel", "workflow:bench-go", "--rate", "50", "--duration", "1", "--payload", "20", "--start-when",
            go.toString()));
        CompletableFuture<Run> load = loadOnceLive(3, "--url", cluster.webSocket(0).toString(), "--connections",
            "3", "--channel", "workflow:bench-go", "--warmup", "0", "--duration", "10", "--json", json.toString());

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !publish.isDone());
        Files.createFile(go);
        Run published = publish.get(60, java.util.concurrent.TimeUnit.SECONDS);
        Run loaded = load.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(published.exitCode).as(published.out + published.err).isZero();
        Matcher count = PUBLISHED.matcher(published.out);
        assertThat(count.find()).as(published.out).isTrue();
        long events = Long.parseLong(count.group(1));
        assertThat(events).as("a second's events at 50 a second, paced from the start file").isBetween(45L, 55L);
        assertThat(loaded.exitCode).as(loaded.err).isZero();
        JsonNode figures = Json.readTree(Files.readAllBytes(json));
        assertThat(figures.path("events_total").asLong()).as("every event to every client").isEqualTo(events * 3);
        assertThat(figures.path("missing").asLong()).isZero();
    }

    @Test
    void loadShouldMeasureEveryCommandFromItsFrameToTheWorkflowsFirstEvent() throws Exception {
        Path json = dir.resolve("commands.json");
        Run run = run(new StringWriter(), "bench", "load", "--url", cluster.webSocket(0).toString(),
            "--connections", "4", "--warmup", "1", "--duration", "3", "--command-rate", "10",
            "--json", json.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        JsonNode figures = Json.readTree(Files.readAllBytes(json));
        long sent = figures.path("commands_sent").asLong();
        assertThat(sent).isGreaterThanOrEqualTo(20);
        assertThat(figures.path("commands_accepted").asLong()).isEqualTo(sent);
        assertThat(figures.path("commands_answered").asLong()).isEqualTo(sent);
        assertThat(figures.path("command_latency_ms").path("p50").asDouble()).isPositive();
        assertThat(figures.path("error_frames").size()).isZero();
    }

    @Test
    void firstEventShouldMeasureEveryWorkflowOnAFreshChannelAndItsTwoHopFloor() throws Exception {
        Path json = dir.resolve("first-event.json");
        Run run = run(new StringWriter(), "bench", "first-event", "--url", cluster.webSocket(0).toString(),
            "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value(),
            "--runs", "3", "--warmup-runs", "1", "--json", json.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        JsonNode figures = Json.readTree(Files.readAllBytes(json));
        for (String figure : new String[] {"accepted_ms", "first_event_ms", "completed_ms", "floor_command_hop_ms",
            "floor_event_hop_ms", "floor_ms"}) {
            assertThat(figures.path(figure).path("count").asLong()).as(figure).isEqualTo(3);
            assertThat(figures.path(figure).path("p50").asDouble()).as(figure).isPositive();
        }
        assertThat(figures.path("completed_ms").path("p50").asDouble())
            .isGreaterThanOrEqualTo(figures.path("first_event_ms").path("p50").asDouble());
        assertThat(run.out).contains("first event / floor", "relay bench first-event --url");
    }

    @Test
    void loadFloorShouldAlsoReadTheRunsOwnEventsFromKafka() throws Exception {
        Path json = dir.resolve("floor.json");
        CompletableFuture<Run> load = loadOnceLive(2, "--url", cluster.webSocket(0).toString(), "--connections", "2",
            "--channel", "workflow:bench-floor-{i}", "--channels", "2", "--warmup", "0", "--duration", "5", "--floor",
            "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", cluster.prefix().value(),
            "--json", json.toString());

        Run publish = run(new StringWriter(), "bench", "publish", "--bootstrap-servers", kafka.bootstrapServers(),
            "--topic-prefix", cluster.prefix().value(), "--channel", "workflow:bench-floor-{i}", "--channels", "2",
            "--rate", "40", "--duration", "3", "--payload", "20");
        Run loaded = load.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(publish.exitCode).as(publish.out).isZero();
        assertThat(loaded.exitCode).as(loaded.err).isZero();
        JsonNode figures = Json.readTree(Files.readAllBytes(json));
        long delivered = figures.path("event_latency_ms").path("count").asLong();
        JsonNode sameRecords = figures.path("floor_same_records_ms");
        assertThat(delivered).isPositive();
        assertThat(sameRecords.path("count").asLong()).as("each event the clients measured, read once from Kafka")
            .isBetween(delivered - 10, delivered + 10);
        assertThat(sameRecords.path("p50").asDouble()).isPositive();
        assertThat(loaded.out).contains("floor: same records", "event latency - same records");
    }

    @Test
    void loadFloorShouldFailAtOnceSayingWhyWhenKafkaCannotBeRead() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        String[] load = {"bench", "load", "--url", cluster.webSocket(0).toString(), "--connections", "1",
            "--channel", "workflow:bench-unread", "--warmup", "0", "--duration", "1", "--floor"};

        Run unreachable = run(new StringWriter(), concat(load, "--bootstrap-servers", "127.0.0.1:" + closedPort,
            "--topic-prefix", cluster.prefix().value()));
        Run wrongPrefix = run(new StringWriter(), concat(load, "--bootstrap-servers", kafka.bootstrapServers(),
            "--topic-prefix", "no-such-prefix"));

        assertThat(unreachable.exitCode).as(unreachable.err).isEqualTo(1);
        assertThat(unreachable.err).startsWith("The floor cannot be measured: ")
            .contains("127.0.0.1:" + closedPort, "is --bootstrap-servers right?").doesNotContain("live:", "\tat ");
        assertThat(wrongPrefix.exitCode).as(wrongPrefix.err).isEqualTo(1);
        assertThat(wrongPrefix.err).contains("has no topic no-such-prefix.", "is --topic-prefix right?")
            .doesNotContain("live:", "\tat ");
    }

    @Test
    void loadShouldRefuseTargetsOffLoopback() {
        Run run = run(new StringWriter(), "bench", "load", "--url", "ws://192.0.2.1:8080/ws");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("only targets loopback addresses");
    }

    /** Starts {@code bench load} with some options and returns once its clients are live. */
    private static CompletableFuture<Run> loadOnceLive(int clients, String... options) {
        StringWriter progress = new StringWriter();
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "load";
        System.arraycopy(options, 0, args, 2, options.length);
        CompletableFuture<Run> load = CompletableFuture.supplyAsync(() -> run(progress, args));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> progress.toString().contains("live: " + clients + " of " + clients));
        return load;
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    /** Runs the CLI; the load generator's progress goes to {@code progress} while it runs. */
    private static Run run(StringWriter progress, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = RelayCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(progress, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), progress.toString());
    }

    private record Run(int exitCode, String out, String err) {
    }
}

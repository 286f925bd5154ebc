package io.agentrelay.client.bench;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay bench stages}: where the time of a run went, stage by stage, from the histograms the relay and the
 * executor export on {@code /metrics}. Scraped before a run ({@code --save}) and after it ({@code --since}), the
 * difference is the run's alone. Two stages have no histogram of their own and are told by means: commit to relay
 * (the relay's event delay less the executor's transaction) and relay to socket (what the clients measured less what
 * the relay did, given the run's figures with {@code --client}).
 */
@Command(name = "stages", mixinStandardHelpOptions = true,
    description = "Per-stage latency of a run from the relay's and the executor's /metrics histograms.")
final class StagesCommand implements Callable<Integer> {

    static final String COMMAND_TO_EXECUTOR = "executor_command_delay_seconds";
    static final String STEP_TO_COMMIT = "executor_transaction_duration_seconds";
    static final String EVENT_TO_RELAY = "relay_event_delay_seconds";
    static final String COMMAND_TO_FIRST_EVENT = "relay_command_to_event_seconds";
    static final String NODE_RUN = "executor_node_duration_seconds";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--metrics", paramLabel = "URL", required = true,
        description = "A /metrics endpoint (relay, executor); repeat for each.")
    List<URI> endpoints;

    @Option(names = "--since", paramLabel = "FILE", description = "A scrape saved before the run: print what "
        + "happened after it. Without it, everything since the processes started.")
    Path since;

    @Option(names = "--save", paramLabel = "FILE", description = "Save this scrape, for a later --since.")
    Path save;

    @Option(names = "--client", paramLabel = "FILE",
        description = "The run's figures ('bench load --json' or 'bench first-event --json'), for relay -> socket.")
    Path client;

    @Option(names = "--title", defaultValue = "", description = "What the run was, for the heading.")
    String title;

    /** One stage's figures, in milliseconds. */
    record Stage(String name, String source, long count, double mean, double p50, double p90, double p99) {
    }

    @Override
    public Integer call() throws Exception {
        StringBuilder text = new StringBuilder();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (URI endpoint : endpoints) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(endpoint + " answered " + response.statusCode());
            }
            text.append(response.body()).append('\n');
        }
        if (save != null) {
            Files.writeString(save, text);
        }
        if (since == null && save != null) {
            return 0;
        }
        ScrapedHistograms now = ScrapedHistograms.parse(text.toString());
        ScrapedHistograms before = since == null ? ScrapedHistograms.parse("")
            : ScrapedHistograms.parse(Files.readString(since));
        JsonNode figures = client == null ? null : Json.readTree(Files.readAllBytes(client));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%n== per stage%s (%s; bucket bounds: the value is at most this) ==%n",
            title.isEmpty() ? "" : ": " + title, since == null ? "since the processes started" : "during the run");
        out.printf("  %-34s %-40s %7s %9s %9s %9s %9s%n", "stage", "from", "count", "mean ms", "p50 <=", "p90 <=",
            "p99 <=");
        for (Stage stage : stages(now, before, figures)) {
            out.printf("  %-34s %-40s %7s %9s %9s %9s %9s%n", stage.name(), stage.source(),
                stage.count() < 0 ? "" : Long.toString(stage.count()), format(stage.mean()), format(stage.p50()),
                format(stage.p90()), format(stage.p99()));
        }
        out.printf("  %-34s relay %s%n", "command",
            String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        out.flush();
        return 0;
    }

    /**
     * The stages of the path a command and its events take, as far as the scrapes and the client's figures tell.
     *
     * @param figures the run's figures as its client wrote them, or null
     */
    static List<Stage> stages(ScrapedHistograms now, ScrapedHistograms before, JsonNode figures) {
        Optional<ScrapedHistograms.Histo> commandHop = now.since(before, COMMAND_TO_EXECUTOR);
        Optional<ScrapedHistograms.Histo> transaction = now.since(before, STEP_TO_COMMIT);
        Optional<ScrapedHistograms.Histo> eventDelay = now.since(before, EVENT_TO_RELAY);
        Optional<ScrapedHistograms.Histo> firstEvent = now.since(before, COMMAND_TO_FIRST_EVENT);
        Optional<ScrapedHistograms.Histo> node = now.since(before, NODE_RUN);
        double commitToRelay = mean(eventDelay) - mean(transaction);
        double relayToSocket = Double.NaN;
        if (figures != null) {
            double eventLatency = clientMean(figures, "event_latency_ms");
            // 'bench first-event' names it so, 'bench load' command latency.
            double clientFirst = figures.has("first_event_ms") ? clientMean(figures, "first_event_ms")
                : clientMean(figures, "command_latency_ms");
            if (eventLatency > 0) {
                relayToSocket = eventLatency - mean(eventDelay);
            } else if (clientFirst > 0) {
                // The client's first event less its accepted answer (to Kafka's acknowledgement and back) less the
                // relay's acknowledgement-to-first-event leaves the frame's way out, plus the answer's way back.
                relayToSocket = clientFirst - clientMean(figures, "accepted_ms") - mean(firstEvent);
            }
        }
        return List.of(
            stage("command -> executor", COMMAND_TO_EXECUTOR, commandHop),
            stage("step -> commit", STEP_TO_COMMIT, transaction),
            derived("commit -> relay", "event delay less transaction, means", commitToRelay),
            derived("relay -> socket", "client figures less relay's, means", relayToSocket),
            stage("step -> relay (event created)", EVENT_TO_RELAY, eventDelay),
            stage("command acked -> first event", COMMAND_TO_FIRST_EVENT, firstEvent),
            stage("node run", NODE_RUN, node));
    }

    private static Stage stage(String name, String histogram, Optional<ScrapedHistograms.Histo> h) {
        if (h.isEmpty() || h.get().count() == 0) {
            return new Stage(name, histogram, h.isEmpty() ? -1 : 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        ScrapedHistograms.Histo histo = h.get();
        return new Stage(name, histogram, Math.round(histo.count()), histo.mean() * 1000,
            histo.upperBound(0.5) * 1000, histo.upperBound(0.9) * 1000, histo.upperBound(0.99) * 1000);
    }

    private static Stage derived(String name, String how, double meanMs) {
        return new Stage(name, how, -1, meanMs, Double.NaN, Double.NaN, Double.NaN);
    }

    private static double mean(Optional<ScrapedHistograms.Histo> h) {
        return h.map(histo -> histo.mean() * 1000).orElse(Double.NaN);
    }

    private static double clientMean(JsonNode figures, String field) {
        JsonNode node = figures.path(field);
        return node.path("count").asLong() > 0 ? node.path("mean").asDouble() : Double.NaN;
    }

    private static String format(double ms) {
        return Double.isNaN(ms) ? "-" : Double.isInfinite(ms) ? "inf" : String.format("%.2f", ms);
    }
}

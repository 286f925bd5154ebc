package io.agentrelay.tools.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the time of a measurement went, stage by stage, from the histograms the relay and the executor export on
 * {@code /metrics}: scraped when the measurement starts and again when it ends, the difference is the measurement's
 * alone. Stages without a histogram of their own are told by means: the executor's queue wait before its transaction,
 * the commit marker and fetch after it, and the frame's way from the relay to the socket (what the clients measured
 * less what the relay did).
 */
final class StageWindow {

    static final String COMMAND_TO_EXECUTOR = "executor_command_delay_seconds";
    static final String TRANSACTION = "executor_transaction_duration_seconds";
    static final String EVENT_TO_RELAY = "relay_event_delay_seconds";
    static final String RECORD_TO_RELAY = "relay_event_record_delay_seconds";
    static final String COMMAND_TO_FIRST_EVENT = "relay_command_to_event_seconds";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<URI> endpoints;
    private final ScrapedHistograms before;

    /** One stage's figures in milliseconds; NaN where not known, count -1 for a stage told by means. */
    record Stage(String name, String source, long count, double mean, double p50, double p90, double p99) {
    }

    private StageWindow(List<URI> endpoints) {
        this.endpoints = endpoints;
        this.before = ScrapedHistograms.parse(scrape(endpoints));
    }

    /**
     * Starts a measurement: scrapes the endpoints now.
     *
     * @param endpoints {@code /metrics} of the relay and the executor
     */
    static StageWindow open(List<URI> endpoints) {
        return new StageWindow(endpoints);
    }

    /**
     * Ends the measurement: scrapes again and prints the stages.
     *
     * @param title   what was measured
     * @param figures what the clients measured (the JSON figures of a load or first-event run)
     */
    void print(PrintWriter out, String title, JsonNode figures) {
        List<Stage> stages = stages(ScrapedHistograms.parse(scrape(endpoints)), before, figures);
        out.printf("%n== per stage: %s (relay and executor histograms during the measurement; bucket bounds: the value "
            + "is at most this) ==%n", title);
        out.printf("  %-32s %-44s %7s %9s %9s %9s %9s%n", "stage", "from", "count", "mean ms", "p50 <=", "p90 <=",
            "p99 <=");
        for (Stage stage : stages) {
            out.printf("  %-32s %-44s %7s %9s %9s %9s %9s%n", stage.name(), stage.source(),
                stage.count() < 0 ? "" : Long.toString(stage.count()), format(stage.mean()), format(stage.p50()),
                format(stage.p90()), format(stage.p99()));
        }
        out.flush();
    }

    /**
     * The stages of the way a command and its events take, as far as the scrapes and the clients' figures tell.
     *
     * @param figures what the clients measured, or null
     */
    static List<Stage> stages(ScrapedHistograms now, ScrapedHistograms before, JsonNode figures) {
        Optional<ScrapedHistograms.Histo> commandHop = now.since(before, COMMAND_TO_EXECUTOR);
        Optional<ScrapedHistograms.Histo> transaction = now.since(before, TRANSACTION);
        Optional<ScrapedHistograms.Histo> eventDelay = now.since(before, EVENT_TO_RELAY);
        Optional<ScrapedHistograms.Histo> recordDelay = now.since(before, RECORD_TO_RELAY);
        Optional<ScrapedHistograms.Histo> firstEvent = now.since(before, COMMAND_TO_FIRST_EVENT);
        // An event is stamped when its step is made and written just before its transaction commits: the record's
        // time splits the relay's event delay into the wait before the transaction and the rest.
        double queued = mean(eventDelay) - mean(recordDelay);
        double relayToSocket = Double.NaN;
        if (figures != null) {
            // 'bench first-event' names it so, 'bench load' command latency.
            double clientFirst = figures.has("first_event_ms") ? clientMean(figures, "first_event_ms")
                : clientMean(figures, "command_latency_ms");
            double eventLatency = clientMean(figures, "event_latency_ms");
            if (eventLatency > 0) {
                relayToSocket = eventLatency - mean(eventDelay);
            } else if (clientFirst > 0) {
                // The first event less the accepted answer (the command's way to Kafka's acknowledgement and back)
                // less the relay's acknowledgement-to-first-event leaves the frame's way out, plus the answer's way
                // back.
                relayToSocket = clientFirst - clientMean(figures, "accepted_ms") - mean(firstEvent);
            }
        }
        return List.of(
            stage("command -> executor", COMMAND_TO_EXECUTOR, commandHop),
            derived("step -> commit", "queued (event less record delay) + transaction",
                queued + mean(transaction)),
            derived("  of which queued", "event delay less record delay", queued),
            stage("  of which the transaction", TRANSACTION, transaction),
            derived("commit -> relay", "record delay less transaction", mean(recordDelay) - mean(transaction)),
            derived("relay -> socket", "clients' figures less the relay's", relayToSocket),
            stage("step -> relay", EVENT_TO_RELAY, eventDelay),
            stage("record written -> relay", RECORD_TO_RELAY, recordDelay),
            stage("command acked -> first event", COMMAND_TO_FIRST_EVENT, firstEvent));
    }

    private static Stage stage(String name, String histogram, Optional<ScrapedHistograms.Histo> h) {
        if (h.isEmpty() || h.get().count() == 0) {
            return new Stage(name, histogram, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        ScrapedHistograms.Histo histo = h.get();
        return new Stage(name, histogram, Math.round(histo.count()), histo.mean() * 1000,
            histo.upperBound(0.5) * 1000, histo.upperBound(0.9) * 1000, histo.upperBound(0.99) * 1000);
    }

    private static Stage derived(String name, String how, double meanMs) {
        return new Stage(name, how, -1, meanMs, Double.NaN, Double.NaN, Double.NaN);
    }

    private static double mean(Optional<ScrapedHistograms.Histo> h) {
        return h.filter(histo -> histo.count() > 0).map(histo -> histo.mean() * 1000).orElse(Double.NaN);
    }

    private static double clientMean(JsonNode figures, String field) {
        JsonNode node = figures.path(field);
        return node.path("count").asLong() > 0 ? node.path("mean").asDouble() : Double.NaN;
    }

    private static String format(double ms) {
        return Double.isNaN(ms) ? "-" : Double.isInfinite(ms) ? "inf" : String.format("%.2f", ms);
    }

    private static String scrape(List<URI> endpoints) {
        StringBuilder text = new StringBuilder();
        for (URI endpoint : endpoints) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException(endpoint + " answered " + response.statusCode());
                }
                text.append(response.body()).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while scraping " + endpoint, e);
            }
        }
        return text.toString();
    }
}

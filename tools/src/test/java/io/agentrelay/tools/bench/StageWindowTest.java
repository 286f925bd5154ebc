package io.agentrelay.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.agentrelay.common.json.Json;
import org.junit.jupiter.api.Test;

class StageWindowTest {

    /** A timer of two label sets, as Micrometer's Prometheus registry writes it (seconds). */
    private static String scrape(int fastA, int fastB, int slow, double sum) {
        return """
            # HELP executor_node_duration_seconds how long nodes ran
            # TYPE executor_node_duration_seconds histogram
            executor_node_duration_seconds_bucket{outcome="ok",tool="echo",le="0.01"} %d.0
            executor_node_duration_seconds_bucket{outcome="ok",tool="echo",le="0.1"} %d.0
            executor_node_duration_seconds_bucket{outcome="ok",tool="echo",le="+Inf"} %d.0
            executor_node_duration_seconds_count{outcome="ok",tool="echo"} %d.0
            executor_node_duration_seconds_sum{outcome="ok",tool="echo"} %s
            executor_node_duration_seconds_bucket{outcome="ok",tool="http",le="0.01"} %d.0
            executor_node_duration_seconds_bucket{outcome="ok",tool="http",le="0.1"} %d.0
            executor_node_duration_seconds_bucket{outcome="ok",tool="http",le="+Inf"} %d.0
            executor_node_duration_seconds_count{outcome="ok",tool="http"} %d.0
            executor_node_duration_seconds_sum{outcome="ok",tool="http"} 0.0
            relay_frames_sent_total 1234.0
            """.formatted(fastA, fastA + slow, fastA + slow, fastA + slow, sum, fastB, fastB, fastB, fastB);
    }

    @Test
    void shouldSumLabelSetsAndKeepOnlyWhatHappenedSinceTheFirstScrape() {
        ScrapedHistograms before = ScrapedHistograms.parse(scrape(10, 5, 0, 0.05));
        ScrapedHistograms after = ScrapedHistograms.parse(scrape(30, 5, 20, 1.55));

        ScrapedHistograms.Histo run = after.since(before, "executor_node_duration_seconds").orElseThrow();

        assertThat(run.count()).isEqualTo(40);
        assertThat(run.sum()).isCloseTo(1.5, within(1e-9));
        assertThat(run.buckets()).containsExactly(Map.entry(0.01, 20.0), Map.entry(0.1, 40.0));
        assertThat(run.mean()).isCloseTo(0.0375, within(1e-9));
        assertThat(after.get("relay_frames_sent")).isEmpty();
    }

    @Test
    void shouldGiveTheBoundOfTheBucketThatHoldsTheQuantile() {
        ScrapedHistograms.Histo run = ScrapedHistograms.parse(scrape(30, 5, 20, 1.55))
            .since(ScrapedHistograms.parse(scrape(10, 5, 0, 0.05)), "executor_node_duration_seconds").orElseThrow();

        assertThat(run.upperBound(0.5)).isEqualTo(0.01);
        assertThat(run.upperBound(0.51)).isEqualTo(0.1);
        assertThat(new ScrapedHistograms.Histo(run.buckets(), 50, 2).upperBound(0.99)).isInfinite();
    }

    @Test
    void shouldTellTheStagesWithoutHistogramsFromTheMeansOfTheOthersAndTheClient() {
        String before = """
            executor_transaction_duration_seconds_bucket{le="0.05"} 0.0
            executor_transaction_duration_seconds_count 0.0
            executor_transaction_duration_seconds_sum 0.0
            relay_event_delay_seconds_bucket{le="0.05"} 2.0
            relay_event_delay_seconds_count 2.0
            relay_event_delay_seconds_sum 0.02
            relay_event_record_delay_seconds_bucket{le="0.05"} 2.0
            relay_event_record_delay_seconds_count 2.0
            relay_event_record_delay_seconds_sum 0.01
            """;
        // During the run: transactions of 20 ms on average, events 30 ms from their step to the relay, of which
        // 25 ms from their record's write.
        String after = """
            executor_transaction_duration_seconds_bucket{le="0.05"} 4.0
            executor_transaction_duration_seconds_count 4.0
            executor_transaction_duration_seconds_sum 0.08
            relay_event_delay_seconds_bucket{le="0.05"} 6.0
            relay_event_delay_seconds_count 6.0
            relay_event_delay_seconds_sum 0.14
            relay_event_record_delay_seconds_bucket{le="0.05"} 6.0
            relay_event_record_delay_seconds_count 6.0
            relay_event_record_delay_seconds_sum 0.11
            """;
        var client = Json.object();
        client.putObject("event_latency_ms").put("count", 100).put("mean", 41.0);

        Map<String, StageWindow.Stage> stages = StageWindow.stages(ScrapedHistograms.parse(after),
            ScrapedHistograms.parse(before), client).stream()
            .collect(Collectors.toMap(StageWindow.Stage::name, Function.identity()));

        assertThat(stages.get("step -> relay").mean()).isCloseTo(30, within(1e-9));
        assertThat(stages.get("  of which queued").mean()).isCloseTo(5, within(1e-9));
        assertThat(stages.get("step -> commit").mean()).isCloseTo(25, within(1e-9));
        assertThat(stages.get("commit -> relay").mean()).isCloseTo(5, within(1e-9));
        assertThat(stages.get("relay -> socket").mean()).isCloseTo(11, within(1e-9));
        assertThat(stages.get("command -> executor").count()).as("not exported").isZero();
        assertThat(stages.get("command -> executor").mean()).isNaN();
    }

    @Test
    void shouldTellRelayToSocketOfACommandRunFromItsFirstEventLessItsAnswerAndTheRelaysShare() {
        String after = """
            relay_command_to_event_seconds_bucket{le="0.1"} 10.0
            relay_command_to_event_seconds_count 10.0
            relay_command_to_event_seconds_sum 0.5
            """;
        var client = Json.object();
        client.putObject("command_latency_ms").put("count", 10).put("mean", 70.0);
        client.putObject("accepted_ms").put("count", 10).put("mean", 12.0);

        List<StageWindow.Stage> stages = StageWindow.stages(ScrapedHistograms.parse(after),
            ScrapedHistograms.parse(""), client);

        assertThat(stages).filteredOn(stage -> stage.name().equals("relay -> socket"))
            .singleElement().satisfies(stage -> assertThat(stage.mean()).isCloseTo(8, within(1e-9)));
    }
}

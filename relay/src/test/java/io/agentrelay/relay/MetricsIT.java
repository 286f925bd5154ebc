package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} on relays and executors: Prometheus text that moves with what the node does. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void shouldExportWhatTheRelayAndTheExecutorDid(LocalCluster cluster) throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe("workflow:wf-metrics").get(10, TimeUnit.SECONDS);
        client.request("execute_workflow", Workflows.echo("wf-metrics", "hi")).get(10, TimeUnit.SECONDS);
        client.sendText("{not json").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames("workflow:wf-metrics").contains("workflow.completed"));

        URI relay = cluster.http(0, "/metrics");
        await().atMost(WAIT).untilAsserted(() -> {
            String text = get(relay);
            assertThat(value(text, "relay_connections", "dialect=\"canonical\"")).isEqualTo(1);
            assertThat(value(text, "relay_connections", "dialect=\"praxis\"")).isZero();
            assertThat(value(text, "relay_errors_total", "code=\"PARSE_ERROR\"")).isEqualTo(1);
            assertThat(value(text, "relay_commands_published_total", "")).isGreaterThanOrEqualTo(1);
            assertThat(value(text, "relay_bytes_received_total", "")).isGreaterThan(100);
            assertThat(value(text, "relay_bytes_sent_total", "")).isGreaterThan(value(text, "relay_frames_sent_total", ""));
            assertThat(value(text, "relay_command_to_event_seconds_count", "")).isEqualTo(1);
            assertThat(value(text, "relay_event_delay_seconds_count", "")).isGreaterThanOrEqualTo(5);
            assertThat(value(text, "relay_event_record_delay_seconds_count", ""))
                .isEqualTo(value(text, "relay_event_delay_seconds_count", ""));
            assertThat(value(text, "relay_commands_circuit_open", "")).isZero();
            assertThat(text).contains("jvm_memory_used_bytes{").contains("kafka_consumer_").contains("process=\"relay\"");
        });

        URI executor = URI.create("http://127.0.0.1:" + cluster.executor(0).metricsPort() + "/metrics");
        String text = get(executor);
        assertThat(value(text, "executor_workflows_finished_total", "outcome=\"completed\"")).isEqualTo(1);
        assertThat(value(text, "executor_node_duration_seconds_count", "tool=\"echo\"")).isEqualTo(1);
        assertThat(value(text, "executor_transactions_total", "result=\"committed\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "executor_command_delay_seconds_count", "")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "executor_workflows_running", "")).isZero();
        assertThat(text).contains("executor_nodes_queued{").contains("process=\"executor\"");

        // Every metric the shipped dashboard and alert rules query is one the nodes export.
        String exported = get(relay) + get(executor);
        for (Path file : List.of(DEPLOY.resolve("grafana/agent-relay-dashboard.json"),
            DEPLOY.resolve("prometheus/alerts.yml"))) {
            Matcher name = Pattern.compile("\\b((?:relay|executor|kafka_consumer|jvm)_[a-z_]+)").matcher(
                Files.readString(file));
            while (name.find()) {
                String metric = name.group(1).replaceAll("_(bucket|count|sum)$", "");
                assertThat(exported).as("%s in %s", metric, file.getFileName()).contains(metric);
            }
        }
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
            assertThat(type).startsWith("text/plain"));
        return response.body();
    }

    /** The value of the first sample of a metric whose labels contain the given text. */
    private static double value(String text, String metric, String label) {
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        while (sample.find()) {
            if (sample.group(1).contains(label)) {
                return Double.parseDouble(sample.group(2));
            }
        }
        throw new AssertionError(metric + " with " + label + " not found");
    }
}

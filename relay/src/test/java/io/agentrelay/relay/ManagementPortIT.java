package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.XnioIoThread;

/**
 * With {@code RELAY_MANAGEMENT_PORT} set, health and metrics are served on a listener of their own, which answers
 * while the WebSocket port's I/O thread is held up (as a flood of frame writes holds it), and are gone from the main
 * port; the web console's {@code /stats} stays there.
 */
@ExtendWith(KafkaExtension.class)
class ManagementPortIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeHealthAndMetricsOnTheManagementPortAndAnswerWhileTheMainPortIsBusy(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_MANAGEMENT_PORT", "0", "RELAY_IO_THREADS", "1"))) {
            RelayNode relay = cluster.relay(0);
            assertThat(relay.managementPort()).isPositive().isNotEqualTo(relay.port());
            URI management = URI.create("http://127.0.0.1:" + relay.managementPort());

            HttpResponse<String> health = get(management.resolve("/health"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Json.readTree(health.body()).path("status").asText()).isEqualTo("UP");
            assertThat(get(management.resolve("/health/live")).statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(management.resolve("/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("relay_connections");
            assertThat(get(management.resolve("/stats")).statusCode()).isEqualTo(200);

            for (String moved : new String[] {"/health", "/health/live", "/metrics"}) {
                assertThat(get(cluster.http(0, moved)).statusCode()).as(moved).isEqualTo(404);
            }
            assertThat(get(cluster.http(0, "/stats")).statusCode()).as("the console's counters").isEqualTo(200);
            cluster.connect(0).subscribe("workflow:wf-management").get(10, TimeUnit.SECONDS);

            CountDownLatch release = new CountDownLatch(1);
            XnioIoThread mainIoThread = ioThreadOf("relay-0");
            try {
                mainIoThread.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertThatThrownBy(() -> get(cluster.http(0, "/stats"), Duration.ofSeconds(1)))
                    .as("the main port's only I/O thread is busy").isInstanceOf(HttpTimeoutException.class);
                assertThat(get(management.resolve("/health"), Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
                assertThat(get(management.resolve("/metrics"), Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
            } finally {
                release.countDown();
            }
        }
    }

    /** The I/O thread of the XNIO worker a listener runs on, named after the relay node. */
    private static XnioIoThread ioThreadOf(String worker) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().equals(worker + " I/O-1"))
            .map(XnioIoThread.class::cast)
            .findFirst().orElseThrow(() -> new AssertionError("no I/O thread of " + worker));
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return get(uri, Duration.ofSeconds(10));
    }

    private HttpResponse<String> get(URI uri, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }
}

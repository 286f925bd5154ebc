package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops and restarts a broker of its own, so it does not share the run's broker. */
class KafkaOutageIT {

    @Test
    void shouldRefuseCommandsQuicklyWhileKafkaIsDownAndAcceptThemWhenItReturns(@TempDir Path sandbox) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew();
             LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), new TopicPrefix("outage"), sandbox, 1,
                 Map.of("RELAY_COMMAND_TIMEOUT_MS", "2000"))) {
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe("workflow:wf-before").get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", Workflows.echo("wf-before", "up")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> frames.eventNames("workflow:wf-before").contains("workflow.completed"));

            kafka.stop();

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(healthStatus(cluster)).isEqualTo(503));
            long started = System.nanoTime();
            assertThat(errorOf(client.request("execute_workflow", Workflows.echo("wf-down", "down"))))
                .isEqualTo("UNAVAILABLE");
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("refused at once, not after the command timeout").isLessThan(Duration.ofMillis(1_500));
            // About 2 s after the circuit opened it would let a trial command through, to wait out the whole command
            // timeout: not while the health probe knows Kafka is down.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300))
                .until(() -> refusedAtOnce(client));
            assertThat(client.request("ping", Json.object()).get(5, TimeUnit.SECONDS).type())
                .as("the socket stays open and usable").isEqualTo(Envelope.RESPONSE);

            kafka.start();

            client.subscribe("workflow:wf-after").get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                assertThat(client.request("execute_workflow", Workflows.echo("wf-after", "back"))
                    .get(10, TimeUnit.SECONDS).data().path("status").asText()).isEqualTo("accepted"));
            await().atMost(Duration.ofSeconds(30))
                .until(() -> frames.eventNames("workflow:wf-after").contains("workflow.completed"));
            assertThat(healthStatus(cluster)).isEqualTo(200);
        }
    }

    @Test
    void shouldForgetAConnectionThatClosedWhileItsCommandWaitedForKafka(@TempDir Path sandbox) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew();
             LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), new TopicPrefix("closed-early"),
                 sandbox, 1, Map.of())) {
            kafka.stop();
            ObjectNode workflow = Json.object().put("workflowId", "closed-early");
            workflow.putArray("nodes").addObject().put("id", "node1").put("type", "tool_call").put("tool", "echo")
                .putObject("params").put("message", "hi");

            // With Kafka down the connection's reply channel takes seconds to be assigned, so its command follows the
            // workflow (Praxis clients see the work they start) only after the socket is gone.
            try (RawSocket praxis = RawSocket.connect(
                URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/ws/workflow"))) {
                praxis.send("EXECUTE_WORKFLOW", workflow, "run-1");
            }

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(stats(cluster).path("commands_rejected").asLong()).isEqualTo(1));
            JsonNode stats = stats(cluster);
            assertThat(stats.path("connections").asInt()).isZero();
            assertThat(stats.path("channels").asInt()).as("channels still routed to closed connections").isZero();
            kafka.start();
        }
    }

    private static JsonNode stats(LocalCluster cluster) throws Exception {
        return Json.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(0, "/stats")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
    }

    private static boolean refusedAtOnce(RelayConnection client) throws Exception {
        long started = System.nanoTime();
        String error = errorOf(client.request("execute_workflow", Workflows.echo("wf-down", "down")));
        return error.equals("UNAVAILABLE") && Duration.ofNanos(System.nanoTime() - started).toMillis() < 1_000;
    }

    private static String errorOf(CompletableFuture<Envelope> response) throws Exception {
        try {
            response.get(10, TimeUnit.SECONDS);
            return "no error";
        } catch (ExecutionException e) {
            return e.getCause() instanceof RelayErrorException error ? error.errorCode() : e.getCause().toString();
        }
    }

    private static int healthStatus(LocalCluster cluster) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(0, "/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

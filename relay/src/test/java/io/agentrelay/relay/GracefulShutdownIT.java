package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that stops first reports itself unready, so load balancers send new clients elsewhere, then closes its
 * connections with 1001 and the positions each client resumes from.
 */
@ExtendWith(KafkaExtension.class)
class GracefulShutdownIT {

    @Test
    void shouldDrainThenCloseWithGoingAwayAndResumePositions(EmbeddedKafka kafka, TopicPrefix prefix,
                                                             @TempDir Path sandbox) throws Exception {
        // The default drain: the health checks below and the look at the connection fit in it with seconds to spare,
        // also with the suite's two test JVMs on two cores.
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_DRAIN_MS", "5000"))) {
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe("workflow:wf-drain").get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", Workflows.echo("wf-drain", "hi")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> frames.eventNames("workflow:wf-drain").contains("workflow.completed"));
            List<Envelope> events = frames.events("workflow:wf-drain");
            String lastPos = events.get(events.size() - 1).pos();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> cluster.relay(0).close());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(cluster.http(0, "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"status\":\"DRAINING\"");
            });
            assertThat(client.closed()).as("connections stay open while the relay drains").isNotDone();

            RelayConnection.CloseStatus closed = client.closed().get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.GOING_AWAY);
            assertThat(closed.reason()).isEqualTo("relay shutting down; resume workflow:wf-drain@" + lastPos);
            stopping.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldLeaveNoThreadsBehindWhenItCannotStart(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        assertNoThreadsLeftByAStartOnATakenPort(kafka, prefix, "RELAY_PORT");
    }

    @Test
    void shouldLeaveNoThreadsBehindWhenItsManagementPortIsTaken(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        // The WebSocket listener is up by then: it is stopped again, with its worker.
        assertNoThreadsLeftByAStartOnATakenPort(kafka, prefix, "RELAY_MANAGEMENT_PORT");
    }

    private static void assertNoThreadsLeftByAStartOnATakenPort(EmbeddedKafka kafka, TopicPrefix prefix,
                                                               String portSetting) throws Exception {
        String nodeId = "relay-unstarted-" + System.nanoTime();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "RELAY_TOPIC_PREFIX", prefix.value(),
                "RELAY_HOST", "127.0.0.1",
                "RELAY_PORT", "0",
                "RELAY_NODE_ID", nodeId,
                "RELAY_AUTH_DISABLED", "true"));
            env.put(portSetting, String.valueOf(taken.getLocalPort()));
            RelayConfig config = RelayConfig.fromEnv(env);

            assertThatThrownBy(() -> RelayNode.start(config)).hasRootCauseInstanceOf(BindException.class);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
            .extracting(Thread::getName)
            .noneMatch(name -> name.contains(nodeId)));
    }
}

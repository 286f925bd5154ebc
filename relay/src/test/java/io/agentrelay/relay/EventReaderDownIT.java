package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.agentrelay.client.RelayClient;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay whose event reader ended (here: its fan-out closed while the node still serves) can deliver nothing more,
 * and the reader never comes back in that process: its clients are closed with 1011 and resume on another node, new
 * ones are refused, and /health and /health/live say DOWN so that the load balancer and the orchestrator act.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
@ClusterExtension.Relays(2)
class EventReaderDownIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private EmbeddedKafka kafka;
    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.kafka = kafka;
        this.cluster = cluster;
    }

    @Test
    void shouldCloseItsConnectionsWith1011SoThatTheyResumeOnAnotherNodeWithoutLoss() throws Exception {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, "wf-reader-ends");
        try (EventWriter writer = new EventWriter(kafka.bootstrapServers(), cluster.prefix().value());
             RelayClient client = RelayClient.builder()
                 .endpoints(List.of(cluster.webSocket(0), cluster.webSocket(1)))
                 .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
                 .build()) {
            client.connect();
            SeqRecorder recorder = new SeqRecorder();
            client.subscribe(channel.name(), recorder).get(10, TimeUnit.SECONDS);
            RelayConnection watcher = cluster.connect(0);
            Frames frames = new Frames();
            watcher.addListener(frames);
            watcher.subscribe(channel.name()).get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 10; seq++) {
                writer.tick(channel, seq, 10);
            }
            await().atMost(WAIT).until(() -> recorder.seqs.size() == 10 && frames.events(channel.name()).size() == 10);
            String lastPos = frames.events(channel.name()).get(9).pos();

            cluster.relay(0).stopEventReader();

            RelayConnection.CloseStatus closed = watcher.closed().get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.INTERNAL_ERROR);
            assertThat(closed.reason())
                .isEqualTo("event reader ended; resume " + channel.name() + "@" + lastPos);
            for (int seq = 10; seq < 20; seq++) {
                writer.tick(channel, seq, 10);
            }
            await().atMost(WAIT).until(() -> recorder.seqs.size() >= 20);
            assertThat(recorder.seqs).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
            assertThat(recorder.resumes).as("resumed once, on the other node, with nothing lost").containsExactly(true);
        }
    }

    @Test
    void shouldSayDownAndRefuseNewConnectionsUntilRestarted() throws Exception {
        cluster.relay(0).stopEventReader();

        HttpResponse<String> health = get(cluster.http(0, "/health"));
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(Json.readTree(health.body()).path("events").asText()).isEqualTo("DOWN");
        HttpResponse<String> live = get(cluster.http(0, "/health/live"));
        assertThat(live.statusCode()).as("only a restart brings the reader back").isEqualTo(503);
        assertThat(Json.readTree(live.body()).path("events").asText()).isEqualTo("DOWN");

        // Refused before the handshake, on every dialect's endpoint, rather than opened and left silent.
        for (String path : List.of("/ws", "/ws/events", "/ws/agent-tracking/client-1")) {
            URI endpoint = URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + path);
            assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(endpoint, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS))
                .as(path).cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                    refused -> assertThat(refused.getResponse().statusCode()).isEqualTo(503));
        }
        assertThat(get(cluster.http(1, "/health/live")).statusCode()).as("the other node").isEqualTo(200);
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}

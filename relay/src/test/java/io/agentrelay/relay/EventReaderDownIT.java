package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay whose event reader ended (here: its fan-out closed while the node still serves) says so on /health and
 * refuses what needs events, each time it is asked, rather than answer a retry as if it worked.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class EventReaderDownIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, LocalCluster cluster) {
        this.cluster = cluster;
        cluster.relay(0).stopEventReader();
    }

    @Test
    void shouldSayEventsDownAndRefuseEverySubscribeAndFollowingCommand() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(cluster.http(0, "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(Json.readTree(health.body()).path("events").asText()).isEqualTo("DOWN");

        RelayConnection client = cluster.connect(0);
        assertThat(subscribeError(client)).isEqualTo("UNAVAILABLE");
        assertThat(subscribeError(client)).as("a retry is refused too, not told it is subscribed")
            .isEqualTo("UNAVAILABLE");

        // A Praxis chat message follows its connection's session channel first: refused, and so is the next one,
        // rather than published for a client that would never see its answer.
        try (RawSocket praxis = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port()
            + "/ws/events"))) {
            await().atMost(WAIT).until(() -> praxis.types().contains("chatMessage"));
            praxis.send("CHAT_MESSAGE", Json.object().put("content", "echo one"), "chat-1");
            await().atMost(WAIT).until(() -> praxis.ofType("error").size() == 1);
            praxis.send("CHAT_MESSAGE", Json.object().put("content", "echo two"), "chat-2");
            await().atMost(WAIT).until(() -> praxis.ofType("error").size() == 2);
            assertThat(praxis.ofType("error")).extracting(frame -> frame.path("payload").path("code").asText())
                .containsExactly("UNAVAILABLE", "UNAVAILABLE");
        }
    }

    private static String subscribeError(RelayConnection client) throws Exception {
        try {
            client.subscribe("workflow:wf-down").get(10, TimeUnit.SECONDS);
            return "subscribed";
        } catch (ExecutionException e) {
            return e.getCause() instanceof RelayErrorException error ? error.errorCode() : e.getCause().toString();
        }
    }
}

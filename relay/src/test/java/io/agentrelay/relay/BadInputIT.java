package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class BadInputIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private LocalCluster cluster;

    @BeforeEach
    void startCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void shouldAnswerBadFramesWithErrorsAndKeepTheConnectionUsable() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);

        client.sendText("{not json");
        client.sendText("[1, 2, 3]");
        client.sendText("{\"type\":\"request\",\"event\":\"launch\",\"id\":\"r-unknown\"}");
        client.sendText("{\"type\":\"request\",\"data\":{},\"id\":\"r-no-event\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{},\"id\":\"r-no-channel\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"bogus:x\"},\"id\":\"r-ns\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"workflow:a b\"},\"id\":\"r-id\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"subscribe\",\"data\":{\"channel\":\"conn:someone-else\"},\"id\":\"r-conn\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"execute_workflow\",\"data\":{\"nodes\":[]},\"id\":\"r-empty\"}");
        client.sendText("{\"type\":\"request\",\"event\":\"execute_workflow\",\"data\":{\"nodes\":[{\"id\":1}]},\"id\":\"r-node\"}");

        await().atMost(WAIT).until(() -> frames.ofType(Envelope.ERROR).size() == 10);
        assertThat(frames.ofType(Envelope.ERROR)).extracting(e -> e.errorCode() + " " + e.correlationId()).containsExactly(
            "PARSE_ERROR null",
            "PARSE_ERROR null",
            "UNKNOWN_REQUEST r-unknown",
            "INVALID_REQUEST r-no-event",
            "INVALID_REQUEST r-no-channel",
            "INVALID_CHANNEL r-ns",
            "INVALID_CHANNEL r-id",
            "FORBIDDEN r-conn",
            "INVALID_REQUEST r-empty",
            "INVALID_REQUEST r-node");
        assertThat(frames.ofType(Envelope.ERROR)).allSatisfy(e -> assertThat(e.errorMessage()).isNotBlank());
        assertThat(frames.ofType(Envelope.ERROR).get(2).errorMessage())
            .isEqualTo("unknown request 'launch'; this endpoint knows "
                + "[subscribe, unsubscribe, execute_workflow, cancel_workflow, get_workflow_status, get_pool_status, "
                + "list_tools, replay, ping]");

        Envelope pong = client.request("ping", Json.object()).get(10, TimeUnit.SECONDS);
        assertThat(pong.data().path("status").asText()).isEqualTo("pong");
        Envelope subscribed = client.subscribe("workflow:still-works").get(10, TimeUnit.SECONDS);
        assertThat(subscribed.data().path("status").asText()).isEqualTo("subscribed");
    }

    @Test
    void shouldCloseOnlyTheSocketThatSentAnOversizedFrame() throws Exception {
        RelayConnection offender = cluster.connect(0);
        RelayConnection bystander = cluster.connect(0);

        offender.sendText("{\"type\":\"request\",\"event\":\"ping\",\"data\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}");

        RelayConnection.CloseStatus status = offender.closed().get(10, TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(WsCloseCodes.MESSAGE_TOO_BIG);
        assertThat(bystander.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
    }

    @Test
    void shouldDisconnectAClientThatFloodsPingFrames() throws Exception {
        // Each ping frame makes the server queue a pong; a client that pings without reading must be stopped too.
        try (RawSocket flooder = RawSocket.connect(cluster.webSocket(0))) {
            for (int i = 0; i < 1_000 && !flooder.closed().isDone(); i++) {
                try {
                    flooder.ping();
                } catch (ExecutionException closedMeanwhile) {
                    break;
                }
            }

            RelayConnection.CloseStatus closed = flooder.closed().get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            assertThat(closed.reason()).isEqualTo("rate limit exceeded");
        }
    }

    @Test
    void shouldRateLimitAFloodAndDisconnectAClientThatIgnoresIt() throws Exception {
        RelayConnection flooder = cluster.connect(0);
        RelayConnection bystander = cluster.connect(0);
        Frames frames = new Frames();
        flooder.addListener(frames);

        for (int i = 0; i < 1_000 && !flooder.closed().isDone(); i++) {
            flooder.sendText("{\"type\":\"request\",\"event\":\"ping\",\"id\":\"p" + i + "\"}");
        }

        assertThat(flooder.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
        assertThat(frames.ofType(Envelope.ERROR)).isNotEmpty()
            .allSatisfy(error -> assertThat(error.errorCode()).isEqualTo("RATE_LIMITED"));
        assertThat(frames.ofType(Envelope.RESPONSE)).hasSizeGreaterThanOrEqualTo(100);
        assertThat(bystander.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
    }

    @Test
    void shouldRejectErrorsWithTheRequestIdSoClientsCanMatchThem() {
        RelayConnection client = cluster.connect(0);

        assertThatThrownBy(() -> client.subscribe("global:x").get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(RelayErrorException.class, e -> {
                assertThat(e.errorCode()).isEqualTo("INVALID_CHANNEL");
                assertThat(e.getMessage()).contains("unknown namespace 'global'");
            });
    }

    @Test
    void shouldRefuseAnHttpBodyOverTheLimitHoweverItIsSent() throws Exception {
        byte[] body = Json.toBytes(Workflows.echo("wf-chunked", "x".repeat(1024 * 1024)));
        HttpClient http = HttpClient.newHttpClient();

        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // An InputStream has no length: the JDK client sends it with Transfer-Encoding: chunked.
            answers.add(http.send(HttpRequest.newBuilder(cluster.http(0, "/api/workflows"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        answers.add(http.send(HttpRequest.newBuilder(cluster.http(0, "/api/workflows"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofString()));

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(413);
        assertThat(Json.readTree(answers.get(0).body()).path("error_message").asText())
            .contains("larger than 65536 bytes");
        assertThat(cluster.connect(0).request("execute_workflow", Workflows.echo("wf-other", "hi"))
            .get(10, TimeUnit.SECONDS).data().path("status").asText()).as("another client's command")
            .isEqualTo("accepted");
        HttpResponse<String> small = http.send(HttpRequest.newBuilder(cluster.http(0, "/api/workflows"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(Json.toBytes(Workflows.echo("wf-small", "hi"))))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).as("a chunked body under the limit").isEqualTo(202);
    }

    @Test
    void shouldServeHealthAndStats() throws Exception {
        RelayConnection client = cluster.connect(0);
        client.request("ping", Json.object()).get(10, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(cluster.http(0, "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> stats = http.send(HttpRequest.newBuilder(cluster.http(0, "/stats")).build(),
            HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> plainGet = http.send(HttpRequest.newBuilder(cluster.http(0, "/ws")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Json.readTree(health.body()).path("kafka").asText()).isEqualTo("UP");
        JsonNode counters = Json.readTree(stats.body());
        assertThat(counters.path("connections").asInt()).isEqualTo(1);
        assertThat(counters.path("frames_in").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(counters.path("frames_out").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(List.of(counters.path("errors").isNumber(), counters.path("node").isTextual())).containsOnly(true);
        assertThat(plainGet.statusCode()).isEqualTo(426);
    }
}

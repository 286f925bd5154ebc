package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class AuthIT {

    private static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";

    @TempDir
    Path sandbox;

    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) {
        cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of("RELAY_JWT_SECRET", SECRET));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void shouldRefuseTheHandshakeWithoutAValidToken() throws Exception {
        Instant inAnHour = Instant.now().plusSeconds(3600);

        assertThat(handshakeStatus(url(null))).isEqualTo(401);
        assertThat(handshakeStatus(url(token("x".repeat(40), "mallory", List.of("*"), List.of("*"), inAnHour))))
            .as("wrong signature").isEqualTo(401);
        assertThat(handshakeStatus(url(token(SECRET, "alice", List.of("*"), List.of("*"),
            Instant.now().minusSeconds(120))))).as("expired").isEqualTo(401);
        assertThat(handshakeStatus(url("not-a-jwt"))).isEqualTo(401);
    }

    @Test
    void shouldAcceptATokenInTheQueryOrTheAuthorizationHeader() throws Exception {
        String token = token(SECRET, "alice", List.of("*"), List.of("*"), Instant.now().plusSeconds(3600));

        try (RelayConnection byQuery = RelayConnection.connect(url(token), Duration.ofSeconds(10))) {
            assertThat(byQuery.connectionId()).isNotBlank();
        }
        WebSocket byHeader = HttpClient.newHttpClient().newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .buildAsync(url(null), new WebSocket.Listener() { })
            .get(10, TimeUnit.SECONDS);
        byHeader.abort();
    }

    @Test
    void shouldAllowOnlyTheChannelsAndCommandsTheTokenGrants() throws Exception {
        String token = token(SECRET, "bob", List.of("workflow:*", "pool:local"), List.of("execute_workflow"),
            Instant.now().plusSeconds(3600));
        try (RelayConnection client = RelayConnection.connect(url(token), Duration.ofSeconds(10))) {
            assertThat(client.subscribe("workflow:wf-1").get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
            assertThat(client.subscribe("pool:local").get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
            assertThat(errorOf(client.subscribe("pool:other").thenApply(r -> "ok"))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(client.subscribe("global").thenApply(r -> "ok"))).isEqualTo("FORBIDDEN");
            assertThat(client.request("execute_workflow", Workflows.echo("wf-1", "hi")).get(10, TimeUnit.SECONDS)
                .data().path("status").asText()).isEqualTo("accepted");
            assertThat(errorOf(client.request("get_workflow_status", Json.object().put("workflow_id", "wf-1"))
                .thenApply(r -> "ok"))).isEqualTo("FORBIDDEN");
        }
    }

    @Test
    void shouldRefuseReplayingAnotherConnectionsPrivateChannel() throws Exception {
        String everything = token(SECRET, "alice", List.of("*", "global"), List.of("*"), inAnHour());
        try (RelayConnection victim = RelayConnection.connect(url(everything), Duration.ofSeconds(10));
             RelayConnection snoop = RelayConnection.connect(url(everything), Duration.ofSeconds(10))) {
            String privateChannel = "conn:" + victim.connectionId();
            // Something for the victim alone: a query's answer travels on its private channel.
            victim.request("get_pool_status", Json.object().put("pool_id", cluster.poolId())).get(10, TimeUnit.SECONDS);

            assertThat(errorOf(snoop.subscribe(privateChannel).thenApply(r -> "ok"))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(snoop.request("replay", Json.object().put("channel", privateChannel)
                .put("from", "1970-01-01T00:00:00Z")).thenApply(r -> r.data().path("status").asText())))
                .isEqualTo("FORBIDDEN");
            assertThat(victim.request("replay", Json.object().put("channel", privateChannel)
                .put("from", "1970-01-01T00:00:00Z")).get(10, TimeUnit.SECONDS).data().path("status").asText())
                .as("its own private channel").isEqualTo("replaying");
        }
    }

    @Test
    void shouldReplayAWholeNamespaceOrGlobalOnlyWithAGrantThatCoversIt() throws Exception {
        String someWorkflows = token(SECRET, "carol", List.of("workflow:wf-1", "session:*"), List.of("*"),
            inAnHour());
        String allWorkflows = token(SECRET, "dave", List.of("workflow:*"), List.of("*"), inAnHour());
        String everything = token(SECRET, "erin", List.of("*", "global"), List.of("*"), inAnHour());
        try (RelayConnection some = RelayConnection.connect(url(someWorkflows), Duration.ofSeconds(10));
             RelayConnection all = RelayConnection.connect(url(allWorkflows), Duration.ofSeconds(10));
             RelayConnection global = RelayConnection.connect(url(everything), Duration.ofSeconds(10))) {
            assertThat(errorOf(replayStatus(some, "workflow:*"))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(replayStatus(some, "workflow:wf-1"))).isEqualTo("replaying");
            assertThat(errorOf(replayStatus(some, "session:*"))).isEqualTo("replaying");
            assertThat(errorOf(replayStatus(all, "workflow:*"))).isEqualTo("replaying");
            assertThat(errorOf(replayStatus(all, "global"))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(replayStatus(global, "global"))).isEqualTo("replaying");
        }
    }

    private static CompletableFuture<String> replayStatus(RelayConnection client, String channel) {
        return client.request("replay", Json.object().put("channel", channel).put("from", "-1h"))
            .thenApply(response -> response.data().path("status").asText());
    }

    @Test
    void shouldAllowACommandOnlyOnAnEntityWhoseChannelTheTokenMayRead() throws Exception {
        String alice = token(SECRET, "alice", List.of("*"), List.of("*"), inAnHour());
        String mallory = token(SECRET, "mallory", List.of("workflow:mallory"), List.of("*"), inAnHour());
        try (RelayConnection owner = RelayConnection.connect(url(alice), Duration.ofSeconds(10));
             RelayConnection other = RelayConnection.connect(url(mallory), Duration.ofSeconds(10))) {
            Frames frames = new Frames();
            owner.addListener(frames);
            owner.subscribe("workflow:wf-alice").get(10, TimeUnit.SECONDS);
            ObjectNode slow = Json.object().put("workflow_id", "wf-alice");
            slow.putArray("nodes").add(Workflows.node("wait", "sleep", Json.object().put("ms", 1500)));
            owner.request("execute_workflow", slow).get(10, TimeUnit.SECONDS);

            assertThat(errorOf(other.request("get_workflow_status", Json.object().put("workflow_id", "wf-alice"))
                .thenApply(r -> "answered"))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(other.request("cancel_workflow", Json.object().put("workflow_id", "wf-alice"))
                .thenApply(r -> r.data().path("status").asText()))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(other.request("execute_workflow", Workflows.echo("wf-elsewhere", "hi"))
                .thenApply(r -> r.data().path("status").asText()))).isEqualTo("FORBIDDEN");
            assertThat(errorOf(other.request("get_pool_status", Json.object().put("pool_id", cluster.poolId()))
                .thenApply(r -> "answered"))).isEqualTo("FORBIDDEN");
            assertThat(other.request("execute_workflow", Workflows.echo("mallory", "mine")).get(10, TimeUnit.SECONDS)
                .data().path("status").asText()).as("its own workflow").isEqualTo("accepted");

            await().atMost(Duration.ofSeconds(30))
                .until(() -> frames.eventNames("workflow:wf-alice").contains("workflow.completed"));
            assertThat(frames.eventNames("workflow:wf-alice")).doesNotContain("workflow.cancelled");
        }
    }

    @Test
    void shouldAuthorizeHttpCommandsByTheEntityTheyTouch() throws Exception {
        String mine = token(SECRET, "mallory", List.of("workflow:mine"), List.of("*"), inAnHour());
        ObjectNode unnamed = Workflows.echo("x", "hi");
        unnamed.remove("workflow_id");

        assertThat(post("/api/workflows", mine, unnamed, Map.of()).statusCode()).as("a new id").isEqualTo(403);
        assertThat(post("/api/workflows", mine, Workflows.echo("other", "hi"), Map.of()).statusCode()).isEqualTo(403);
        assertThat(post("/api/panels", mine, Json.object().put("id", "evilpanel"), Map.of()).statusCode())
            .isEqualTo(403);
        assertThat(post("/api/sessions", mine, Json.object().put("query", "what time is it?"), Map.of()).statusCode())
            .isEqualTo(403);
        assertThat(post("/api/workflows", mine, Workflows.echo("mine", "hi"), Map.of()).statusCode()).isEqualTo(202);
    }

    @Test
    void shouldMakeARetriedHttpPostOneCommandOnTheSocketsTrace() throws Exception {
        String alice = token(SECRET, "alice", List.of("*"), List.of("*"), inAnHour());
        ObjectNode unnamed = Workflows.echo("x", "hi");
        unnamed.remove("workflow_id");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Map<String, String> retry = Map.of("Idempotency-Key", "order-42",
            "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

        HttpResponse<String> first = post("/api/workflows", alice, unnamed, retry);
        HttpResponse<String> again = post("/api/workflows", alice, unnamed, retry);
        HttpResponse<String> other = post("/api/workflows", alice, unnamed, Map.of("Idempotency-Key", "order-43"));
        HttpResponse<String> byBody = post("/api/workflows", alice, unnamed.deepCopy().put("request_id", "order-42"),
            Map.of());

        assertThat(List.of(first.statusCode(), again.statusCode(), other.statusCode(), byBody.statusCode()))
            .containsOnly(202);
        JsonNode accepted = Json.readTree(first.body());
        assertThat(Json.readTree(again.body())).isEqualTo(accepted);
        assertThat(Json.readTree(byBody.body()).path("command_id")).isEqualTo(accepted.path("command_id"));
        assertThat(Json.readTree(other.body()).path("command_id")).isNotEqualTo(accepted.path("command_id"));
        assertThat(Json.readTree(other.body()).path("workflow_id")).isNotEqualTo(accepted.path("workflow_id"));
        assertThat(accepted.path("trace_id").asText()).isEqualTo(traceId);
        assertThat(first.headers().firstValue("traceparent")).hasValueSatisfying(header -> assertThat(header)
            .startsWith("00-" + traceId + "-"));
    }

    @Test
    void shouldCloseTheSocketWhenItsTokenExpires() throws Exception {
        String token = token(SECRET, "carol", List.of("*"), List.of("*"), Instant.now().plusSeconds(2));
        try (RelayConnection client = RelayConnection.connect(url(token), Duration.ofSeconds(10))) {
            RelayConnection.CloseStatus closed = client.closed().get(15, TimeUnit.SECONDS);

            assertThat(closed.code()).isEqualTo(WsCloseCodes.TOKEN_EXPIRED);
            assertThat(closed.reason()).contains("token expired");
        }
    }

    private HttpResponse<String> post(String path, String token, ObjectNode body, Map<String, String> headers)
        throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.http(0, path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(Json.toText(body)));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Instant inAnHour() {
        return Instant.now().plusSeconds(3600);
    }

    @Test
    void shouldShowAgentCraftsReactAppOnlyTheSessionsItsTokenMayRead() throws Exception {
        Instant inAnHour = Instant.now().plusSeconds(3600);
        String admin = token(SECRET, "admin", List.of("*", "global"), List.of("*"), inAnHour);
        String abcOnly = token(SECRET, "alice", List.of("workflow:abc"), List.of("*"), inAnHour);
        String noGlobal = token(SECRET, "bob", List.of("workflow:*"), List.of("*"), inAnHour);
        try (RawSocket everything = RawSocket.connect(appUrl("client_1", admin));
             RawSocket alice = RawSocket.connect(appUrl("client_2", abcOnly));
             RawSocket bob = RawSocket.connect(appUrl("client_3", noGlobal))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> everything.types().contains("active_sessions")
                && alice.types().contains("active_sessions") && bob.types().contains("active_sessions"));
            alice.send("{\"type\":\"start_log_streaming\",\"session_id\":\"abc\"}");
            alice.send("{\"type\":\"start_log_streaming\",\"session_id\":\"other\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> alice.types().contains("log_streaming_started")
                && alice.types().contains("error"));

            for (String sessionId : List.of("other", "abc")) {
                assertThat(NexusPanelsIT.post(cluster, "/api/workflows",
                    AgentCraftConformanceIT.webhookSession(sessionId, 200), admin).statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> everything.ofType("session_completed").size() == 2
                && alice.types().contains("session_completed"));

            assertThat(alice.frames()).as("a token for workflow:abc sees nothing of other sessions")
                .filteredOn(frame -> !frame.path("type").asText().equals("error"))
                .allSatisfy(frame -> assertThat(Json.toText(frame)).doesNotContain("other"));
            assertThat(alice.types()).contains("session_started", "agent_status_update", "crewai_log");
            assertThat(bob.types()).as("without global, only the sessions it asks about")
                .containsOnly("active_sessions");
            assertThat(everything.ofType("session_started")).hasSize(2);
        }
    }

    private URI appUrl(String clientId, String token) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/api/ws/agent-tracking/" + clientId
            + "?token=" + token);
    }

    private URI url(String token) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/ws" + (token == null ? "" : "?token=" + token));
    }

    static int handshakeStatus(URI uri) throws Exception {
        CompletableFuture<WebSocket> socket = HttpClient.newHttpClient().newWebSocketBuilder()
            .buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    return null;
                }
            });
        try {
            socket.get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    private static String errorOf(CompletableFuture<String> response) throws Exception {
        try {
            return response.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause() instanceof RelayErrorException error ? error.errorCode() : e.getCause().toString();
        }
    }

    static String token(String secret, String subject, List<String> channels, List<String> commands, Instant expiry)
        throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject(subject)
            .expirationTime(Date.from(expiry))
            .claim("channels", channels)
            .claim("commands", commands)
            .build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}

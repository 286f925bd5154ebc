package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
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
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.relay.session.WsCloseCodes;
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
    void shouldCloseTheSocketWhenItsTokenExpires() throws Exception {
        String token = token(SECRET, "carol", List.of("*"), List.of("*"), Instant.now().plusSeconds(2));
        try (RelayConnection client = RelayConnection.connect(url(token), Duration.ofSeconds(10))) {
            RelayConnection.CloseStatus closed = client.closed().get(15, TimeUnit.SECONDS);

            assertThat(closed.code()).isEqualTo(WsCloseCodes.TOKEN_EXPIRED);
            assertThat(closed.reason()).contains("token expired");
        }
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

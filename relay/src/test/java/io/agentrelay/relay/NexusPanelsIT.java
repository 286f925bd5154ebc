package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.agentrelay.common.json.Json;
import io.agentrelay.relay.ClusterExtension.Relays;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Nexus panels API of nexus-panels-websocket-api.md, with a plain JDK client: every message type and error code,
 * the upgrade's 404 and 401, panels from files and from {@code POST /api/panels}, state that outlives its executor,
 * and two clients of one panel on two relay nodes.
 */
@Relays(2)
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class NexusPanelsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldBroadcastAPatchToClientsOnBothNodesAndTheResultOnlyToTheCaller(LocalCluster cluster) throws Exception {
        createCounter(cluster, "counter-1");

        try (RawSocket caller = connect(cluster, 0, "counter-1"); RawSocket watcher = connect(cluster, 1, "counter-1")) {
            for (RawSocket client : List.of(caller, watcher)) {
                await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
                JsonNode connected = client.ofType("CONNECTED").get(0);
                assertThat(connected.path("panelId").asText()).isEqualTo("counter-1");
                assertThat(connected.path("state").path("count").asInt()).isZero();
            }

            caller.send(Json.toText(Json.object().put("type", "TRIGGER").put("tool", "increment")
                .put("requestId", "req-1").set("args", Json.object().put("by", 5))));

            await().atMost(WAIT).until(() -> caller.types().contains("RESULT") && watcher.types().contains("PATCH"));
            JsonNode result = caller.ofType("RESULT").get(0);
            assertThat(result.path("requestId").asText()).isEqualTo("req-1");
            assertThat(result.path("result").path("status").asText()).isEqualTo("success");
            assertThat(result.path("result").path("returnValue").asInt()).isEqualTo(5);
            for (RawSocket client : List.of(caller, watcher)) {
                await().atMost(WAIT).until(() -> client.types().contains("PATCH"));
                JsonNode mutation = client.ofType("PATCH").get(0).path("mutations").get(0);
                assertThat(mutation.path("op").asText()).isEqualTo("set");
                assertThat(mutation.path("path").asText()).isEqualTo("count");
                assertThat(mutation.path("value").asInt()).isEqualTo(5);
            }
            assertThat(caller.types()).containsSubsequence("CONNECTED", "PATCH", "RESULT");

            caller.send("{\"type\":\"TRIGGER\",\"tool\":\"announce\",\"args\":{\"text\":\"hello\"},\"requestId\":\"req-2\"}");

            for (RawSocket client : List.of(caller, watcher)) {
                await().atMost(WAIT).until(() -> client.types().contains("EVENT"));
                JsonNode event = client.ofType("EVENT").get(0).path("event");
                assertThat(event.path("name").asText()).isEqualTo("announced");
                assertThat(event.path("data").path("text").asText()).isEqualTo("hello");
            }
            await().atMost(WAIT).until(() -> caller.ofType("RESULT").size() == 2);
            assertThat(watcher.types()).as("only the caller gets RESULT").doesNotContain("RESULT");
        }
    }

    @Test
    void shouldFollowSubscribeAndUnsubscribeAndAnswerPing(LocalCluster cluster) throws Exception {
        createCounter(cluster, "counter-2");

        try (RawSocket caller = connect(cluster, 0, "counter-2"); RawSocket watcher = connect(cluster, 0, "counter-2")) {
            await().atMost(WAIT).until(() -> watcher.types().contains("CONNECTED"));
            watcher.send("{\"type\":\"PING\"}");
            await().atMost(WAIT).until(() -> watcher.types().contains("PONG"));

            watcher.send("{\"type\":\"UNSUBSCRIBE\",\"topics\":[\"state\"]}");
            watcher.send("{\"type\":\"PING\"}");
            await().atMost(WAIT).until(() -> watcher.ofType("PONG").size() == 2);
            caller.send("{\"type\":\"TRIGGER\",\"tool\":\"increment\",\"requestId\":\"a\"}");
            caller.send("{\"type\":\"TRIGGER\",\"tool\":\"announce\",\"requestId\":\"b\"}");

            // The panel's events arrive in order: once the later EVENT is there, the PATCH was filtered, not late.
            await().atMost(WAIT).until(() -> watcher.types().contains("EVENT"));
            assertThat(watcher.types()).doesNotContain("PATCH");

            watcher.send("{\"type\":\"SUBSCRIBE\",\"topics\":[\"state\"]}");
            watcher.send("{\"type\":\"UNSUBSCRIBE\",\"topics\":[\"events\"]}");
            watcher.send("{\"type\":\"PING\"}");
            await().atMost(WAIT).until(() -> watcher.ofType("PONG").size() == 3);
            caller.send("{\"type\":\"TRIGGER\",\"tool\":\"announce\",\"requestId\":\"c\"}");
            caller.send("{\"type\":\"TRIGGER\",\"tool\":\"increment\",\"requestId\":\"d\"}");

            await().atMost(WAIT).until(() -> watcher.types().contains("PATCH"));
            assertThat(watcher.ofType("EVENT")).hasSize(1);
            assertThat(watcher.ofType("PATCH").get(0).path("mutations").get(0).path("value").asInt()).isEqualTo(2);
        }
    }

    @Test
    void shouldAnswerARetriedTriggerWithItsFirstResultAndApplyItOnce(LocalCluster cluster) throws Exception {
        createCounter(cluster, "counter-4");

        try (RawSocket client = connect(cluster, 0, "counter-4")) {
            await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
            String trigger = "{\"type\":\"TRIGGER\",\"tool\":\"increment\",\"requestId\":\"same\"}";
            client.send(trigger);
            await().atMost(WAIT).until(() -> client.types().contains("RESULT"));
            client.send(trigger);

            await().atMost(WAIT).until(() -> client.ofType("RESULT").size() == 2);
            assertThat(client.ofType("RESULT")).extracting(r -> r.path("result").path("returnValue").asInt())
                .containsExactly(1, 1);
            assertThat(client.ofType("PATCH")).hasSize(1);
        }
    }

    @Test
    void shouldAnswerEveryDocumentedErrorCode(LocalCluster cluster) throws Exception {
        createCounter(cluster, "counter-3");

        try (RawSocket client = connect(cluster, 0, "counter-3")) {
            await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
            client.send("{not json");
            client.send("{\"type\":\"DANCE\"}");
            client.send("{\"type\":\"TRIGGER\"}");
            client.send("{\"type\":\"TRIGGER\",\"tool\":\"teleport\",\"requestId\":\"t\"}");
            client.send("{\"type\":\"TRIGGER\",\"tool\":\"bump_title\",\"requestId\":\"e\"}");

            await().atMost(WAIT).until(() -> client.ofType("ERROR").size() == 5);
            assertThat(client.ofType("ERROR")).extracting(error -> error.path("code").asText())
                .containsExactlyInAnyOrder("PARSE_ERROR", "UNKNOWN_MESSAGE", "PARSE_ERROR", "TOOL_NOT_FOUND",
                    "EXECUTION_ERROR");
            assertThat(client.ofType("ERROR")).allSatisfy(error -> assertThat(error.path("message").asText())
                .isNotBlank());
            assertThat(client.ofType("ERROR")).anySatisfy(error -> assertThat(error.path("message").asText())
                .isEqualTo("'title' is not a number"));
            assertThat(client.types()).as("the failed trigger changed nothing").doesNotContain("PATCH");
        }
    }

    @Test
    void shouldRefuseTheUpgradeForAnUnknownPanel(LocalCluster cluster) throws Exception {
        assertThat(AuthIT.handshakeStatus(panelUri(cluster, 0, "no-such-panel"))).isEqualTo(404);
        assertThat(AuthIT.handshakeStatus(URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + "/panels/x/y/ws")))
            .isEqualTo(404);
    }

    @Test
    void shouldRefuseAMissingOrInvalidTokenWhenAuthenticationIsOn(EmbeddedKafka kafka, TopicPrefix prefix,
                                                                  @TempDir Path sandbox) throws Exception {
        String secret = "panel-secret-that-is-at-least-32-bytes";
        try (LocalCluster secured = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_JWT_SECRET", secret))) {
            String token = AuthIT.token(secret, "ops", List.of("panel:*"), List.of("*"),
                Instant.now().plusSeconds(600));
            HttpResponse<String> created = post(secured, "/api/panels", counter("secured"), token);
            assertThat(created.statusCode()).isEqualTo(201);

            assertThat(AuthIT.handshakeStatus(panelUri(secured, 0, "secured"))).isEqualTo(401);
            assertThat(AuthIT.handshakeStatus(panelUri(secured, 0, "missing")))
                .as("without a token, whether a panel exists is not told").isEqualTo(401);
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "secured") + "?token=forged")))
                .isEqualTo(401);
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "missing") + "?token=" + token)))
                .isEqualTo(404);
            assertThat(post(secured, "/api/panels", counter("anonymous"), null).statusCode()).isEqualTo(401);
            try (RawSocket client = RawSocket.connect(URI.create(panelUri(secured, 0, "secured") + "?token=" + token))) {
                await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
            }
            String workflowsOnly = AuthIT.token(secret, "eve", List.of("workflow:*"), List.of("*"),
                Instant.now().plusSeconds(600));
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "secured") + "?token=" + workflowsOnly)))
                .as("refused at the upgrade, before NexusClient counts itself connected").isEqualTo(403);
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "missing") + "?token=" + workflowsOnly)))
                .as("nor to a token that grants no panel").isEqualTo(403);
        }
    }

    @Test
    void shouldTakeTheSubjectOfNexusOwnTokensFromUserId(EmbeddedKafka kafka, TopicPrefix prefix,
                                                        @TempDir Path sandbox) throws Exception {
        String secret = "panel-secret-that-is-at-least-32-bytes";
        try (LocalCluster secured = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_JWT_SECRET", secret))) {
            String ops = AuthIT.token(secret, "ops", List.of("panel:*"), List.of("*"), Instant.now().plusSeconds(600));
            assertThat(post(secured, "/api/panels", counter("board"), ops).statusCode()).isEqualTo(201);

            // What Nexus's POST /auth/token signs: jwt.sign({userId, email}, secret, {expiresIn: '7d'}).
            String asIssued = nexusToken(secret, Map.of());
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "board") + "?token=" + asIssued)))
                .as("valid, but it grants no channel").isEqualTo(403);
            String otherPanel = nexusToken(secret, Map.of("channels", List.of("panel:other")));
            assertThat(AuthIT.handshakeStatus(URI.create(panelUri(secured, 0, "board") + "?token=" + otherPanel)))
                .isEqualTo(403);
            String granted = nexusToken(secret, Map.of("channels", List.of("panel:board"), "commands", List.of("*")));
            try (RawSocket client = RawSocket.connect(URI.create(panelUri(secured, 0, "board") + "?token=" + granted))) {
                await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
                client.send("{\"type\":\"TRIGGER\",\"tool\":\"increment\",\"args\":{},\"requestId\":\"req-1\"}");
                await().atMost(WAIT).until(() -> client.types().contains("RESULT") || client.types().contains("ERROR"));
                assertThat(client.types()).contains("RESULT");
            }
        }
    }

    /** A token as jsonwebtoken signs Nexus's: HS256, {@code {userId, email, iat, exp}}, no {@code sub}. */
    private static String nexusToken(String secret, Map<String, Object> grants) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
            .claim("userId", "c3d5e7f9-0000-4000-8000-000000000001")
            .claim("email", "ada@example.com")
            .issueTime(Date.from(Instant.now()))
            .expirationTime(Date.from(Instant.now().plus(Duration.ofDays(7))));
        grants.forEach(claims::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
            claims.build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void shouldLoadPanelsFromFilesAndKeepTheirStateAcrossAnExecutorRestart(EmbeddedKafka kafka, TopicPrefix prefix,
                                                                           @TempDir Path dir) throws Exception {
        Path panels = Files.createDirectories(dir.resolve("panels"));
        Files.writeString(panels.resolve("todo.json"), """
            {"id": "todo", "state": {"items": []},
             "tools": {"add": {"handler": "append", "params": {"path": "items"}}}}
            """);
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, dir, 1,
            Map.of("EXECUTOR_PANELS_DIR", panels.toString()))) {
            await().atMost(WAIT).until(() -> AuthIT.handshakeStatus(panelUri(cluster, 0, "todo")) == 101);
            try (RawSocket client = connect(cluster, 0, "todo")) {
                client.send("{\"type\":\"TRIGGER\",\"tool\":\"add\",\"args\":{\"value\":\"milk\"},\"requestId\":\"1\"}");
                await().atMost(WAIT).until(() -> client.types().contains("RESULT"));
            }

            cluster.executor(0).close();
            cluster.startExecutor("executor-1");

            try (RawSocket client = connect(cluster, 0, "todo")) {
                await().atMost(WAIT).until(() -> client.types().contains("CONNECTED"));
                assertThat(client.ofType("CONNECTED").get(0).path("state").path("items").get(0).asText())
                    .isEqualTo("milk");
                client.send("{\"type\":\"TRIGGER\",\"tool\":\"add\",\"args\":{\"value\":\"tea\"},\"requestId\":\"2\"}");
                await().atMost(WAIT).until(() -> client.types().contains("RESULT"));
                assertThat(client.ofType("PATCH")).hasSize(1);
            }
            try (RawSocket late = connect(cluster, 0, "todo")) {
                await().atMost(WAIT).until(() -> late.types().contains("CONNECTED"));
                assertThat(late.ofType("CONNECTED").get(0).path("state").path("items"))
                    .extracting(JsonNode::asText).containsExactly("milk", "tea");
                late.send("{\"type\":\"PING\"}");
                await().atMost(WAIT).until(() -> late.types().contains("PONG"));
                assertThat(late.types()).as("a new client's state already holds every change").doesNotContain("PATCH");
            }
        }
    }

    private static void createCounter(LocalCluster cluster, String id) throws Exception {
        HttpResponse<String> created = post(cluster, "/api/panels", counter(id), null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = Json.readTree(created.body());
        assertThat(body.path("panel_id").asText()).isEqualTo(id);
        assertThat(body.path("state").path("count").asInt()).isZero();
        assertThat(post(cluster, "/api/panels", counter(id), null).statusCode()).as("a second time").isEqualTo(409);
    }

    private static ObjectNode counter(String id) {
        ObjectNode panel = Json.object().put("id", id);
        panel.putObject("state").put("count", 0).put("title", "Counter");
        ObjectNode tools = panel.putObject("tools");
        tools.putObject("increment").put("handler", "add").putObject("params").put("path", "count");
        tools.putObject("announce").put("handler", "emit").putObject("params").put("event", "announced");
        tools.putObject("bump_title").put("handler", "add").putObject("params").put("path", "title");
        return panel;
    }

    static HttpResponse<String> post(LocalCluster cluster, String path, JsonNode body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.http(0, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.toText(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI panelUri(LocalCluster cluster, int relay, String panelId) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(relay).port() + "/panels/" + panelId + "/ws");
    }

    private static RawSocket connect(LocalCluster cluster, int relay, String panelId) throws Exception {
        return RawSocket.connect(panelUri(cluster, relay, panelId));
    }
}

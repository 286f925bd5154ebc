package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class ConnectionLimitIT {

    private static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";

    @Test
    void shouldRefuseConnectionsPastTheLimitAndKeepServingTheOthers(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_MAX_CONNECTIONS", "2"))) {
            RelayConnection first = cluster.connect(0);
            RelayConnection second = cluster.connect(0);

            assertThatThrownBy(() -> RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1013 connection limit of 2 reached");

            assertThat(first.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
            second.close();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (RelayConnection third = RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5))) {
                    assertThat(third.connectionId()).isNotBlank();
                }
            });
        }
    }

    @Test
    void shouldLimitTheConnectionsOfOneSubjectAndLeaveRoomForOthers(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_MAX_CONNECTIONS_PER_SUBJECT", "2"));
             RelayConnection first = connectAs(cluster, "mallory")) {
            try (RelayConnection second = connectAs(cluster, "mallory")) {
                assertThatThrownBy(() -> connectAs(cluster, "mallory"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("1008 connection limit of 2 per subject reached");
                try (RelayConnection other = connectAs(cluster, "alice")) {
                    assertThat(other.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type())
                        .isEqualTo("response");
                }
                for (RelayConnection held : List.of(first, second)) {
                    assertThat(held.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type())
                        .isEqualTo("response");
                }
            }
            // The second one closed: one of mallory's two places is free again.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (RelayConnection third = connectAs(cluster, "mallory")) {
                    assertThat(third.connectionId()).isNotBlank();
                }
            });
        }
    }

    @Test
    void shouldCountAnonymousConnectionsByRemoteAddress(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_MAX_CONNECTIONS_PER_SUBJECT", "1"))) {
            cluster.connect(0);

            assertThatThrownBy(() -> RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1008 connection limit of 1 per subject reached");
        }
    }

    @Test
    void shouldCloseConnectionsThatNeverCompleteTheirRequest(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_HANDSHAKE_TIMEOUT_MS", "500"))) {
            RelayConnection established = cluster.connect(0);
            int port = cluster.relay(0).port();

            try (Socket silent = new Socket("127.0.0.1", port);
                 Socket halfway = new Socket("127.0.0.1", port)) {
                halfway.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                halfway.getOutputStream().flush();

                assertThat(closedByTheRelay(silent)).isTrue();
                assertThat(closedByTheRelay(halfway)).isTrue();
            }
            // An upgraded socket is no request in progress: it stays open, however quiet.
            assertThat(established.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type())
                .isEqualTo("response");
        }
    }

    /** Reads until the relay ends the connection; a read that waits ten seconds fails the test instead. */
    private static boolean closedByTheRelay(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // Undertow may answer 408 before it closes.
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static RelayConnection connectAs(LocalCluster cluster, String subject) throws Exception {
        String token = AuthIT.token(SECRET, subject, List.of("*"), List.of("*"), Instant.now().plusSeconds(3600));
        return RelayConnection.connect(URI.create(cluster.webSocket(0) + "?token=" + token), Duration.ofSeconds(5));
    }
}

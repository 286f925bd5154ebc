package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.relay.session.Session;
import io.agentrelay.relay.dialect.WsCloseCodes;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead connections are found with WebSocket ping frames, which browsers and WebSocket libraries answer by themselves:
 * dashboards that never send or answer application heartbeats stay connected, and a connection that answers nothing
 * is closed. Every interval is 300 ms here, so that three of them pass quickly.
 */
@ExtendWith(KafkaExtension.class)
class HeartbeatIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Well past three intervals of 300 ms and the sweeper's second. */
    private static final Duration STAYS_OPEN = Duration.ofSeconds(3);

    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) {
        cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of(
            "RELAY_PING_INTERVAL_MS", "300",
            "RELAY_PRAXIS_HEARTBEAT_MS", "300",
            "RELAY_AGENTCRAFT_PING_MS", "300",
            // Without tokens a connection counts against its address: each test holds one connection at a time.
            "RELAY_MAX_CONNECTIONS_PER_SUBJECT", "1"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void shouldKeepAPraxisBuilderThatNeverPingsUntilItsWorkflowEnds() throws Exception {
        // The no-code builder's sendPing() sends nothing: after its command it is silent for the whole run.
        try (RawSocket builder = RawSocket.connect(uri("/ws/workflow"))) {
            builder.send("{\"type\":\"DSL_COMMAND\",\"payload\":{\"command\":\"CALL sleep 3000\"}}");

            // dslResult is the DSL command's last event, after workflowComplete (possibly in a later transaction).
            await().atMost(WAIT).until(() -> builder.types().contains("dslResult") || builder.closed().isDone());
            assertThat(builder.closed()).as("still connected after ten heartbeat intervals of silence").isNotDone();
            assertThat(builder.types()).contains("workflowStart", "workflowComplete", "dslResult");
        }
    }

    @Test
    void shouldCloseAPraxisClientThatPingedOnceAndThenStopped() throws Exception {
        try (RawSocket client = RawSocket.connect(uri("/ws/events"))) {
            client.send("{\"type\":\"PING\",\"payload\":{}}");

            RelayConnection.CloseStatus closed = client.closed().get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            assertThat(closed.reason()).isEqualTo("heartbeat timeout: no ping for 900 ms");
            assertThat(client.types()).contains("PONG");
        }
    }

    @Test
    void shouldKeepAnAgentCraftDashboardThatNeverAnswersPing() throws Exception {
        // MultiAgentDemo.js answers the server's ping from a stale closure, that is never.
        try (RawSocket dashboard = RawSocket.connect(uri("/ws/agent-tracking/client_1642678200123_k3j9x2m1p"))) {
            await().atMost(WAIT).until(() -> dashboard.ofType("ping").size() >= 3 || dashboard.closed().isDone());

            await().during(STAYS_OPEN).atMost(STAYS_OPEN.plusSeconds(5)).until(() -> !dashboard.closed().isDone());
            assertThat(dashboard.ofType("ping").size()).as("the server keeps sending its ping").isGreaterThan(3);
        }
    }

    @Test
    void shouldCloseAConnectionThatAnswersNoPings() throws Exception {
        try (DeafSocket deaf = DeafSocket.connect(cluster.relay(0).port(), "/ws")) {
            List<Integer> opcodes = deaf.readUntilClosed();

            assertThat(opcodes).as("pinged before being closed").contains(DeafSocket.PING);
            assertThat(deaf.closeCode).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            assertThat(deaf.closeReason).isEqualTo("heartbeat timeout: no frame and no pong for 900 ms");
        }
    }

    @Test
    void shouldEndTheSocketOfADeadConnectionThatNeverAnswersItsCloseFrame() throws Exception {
        try (DeafSocket deaf = DeafSocket.connect(cluster.relay(0).port(), "/ws")) {
            deaf.readUntilClosed();
            assertThatThrownBy(() -> RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5)))
                .as("the dead connection still holds the address's only slot while it may answer")
                .hasMessageContaining("connection limit of 1 per subject reached");

            // It neither answers the close frame nor closes: the relay ends the socket itself after the grace.
            deaf.awaitEnd(Session.CLOSE_GRACE.plusSeconds(3));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                try (RelayConnection next = RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(10))) {
                    assertThat(next.connectionId()).isNotBlank();
                }
            });
        }
    }

    @Test
    void shouldKeepAnIdleMahavishnuClientWhoseSocketAnswersPings() throws Exception {
        try (RawSocket idle = RawSocket.connect(uri("/ws"))) {
            await().during(STAYS_OPEN).atMost(STAYS_OPEN.plusSeconds(5)).until(() -> !idle.closed().isDone());
        }
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + cluster.relay(0).port() + path);
    }

    /**
     * A client whose connection has died without a close: it completes the upgrade and then reads what arrives, but
     * never answers a ping.
     */
    private static final class DeafSocket implements AutoCloseable {
        static final int PING = 0x9;
        private static final int CLOSE = 0x8;

        private final Socket socket;
        private final DataInputStream in;
        private int closeCode;
        private String closeReason;

        private DeafSocket(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
        }

        static DeafSocket connect(int port, String path) throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) WAIT.toMillis());
            String key = Base64.getEncoder().encodeToString("deaf-socket-key!".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            DeafSocket deaf = new DeafSocket(socket);
            String status = deaf.readHeaders();
            assertThat(status).startsWith("HTTP/1.1 101");
            return deaf;
        }

        private String readHeaders() throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            return head.toString();
        }

        /** Reads frames until the server's close frame, returning their opcodes. */
        List<Integer> readUntilClosed() throws IOException {
            List<Integer> opcodes = new ArrayList<>();
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                long length = in.readUnsignedByte() & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                opcodes.add(opcode);
                if (opcode == CLOSE) {
                    closeCode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                    closeReason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
                    return opcodes;
                }
            }
        }

        /** Reads nothing more until the server ends the connection; fails if it has not within {@code limit}. */
        void awaitEnd(Duration limit) throws IOException {
            socket.setSoTimeout((int) limit.toMillis());
            while (in.read() != -1) {
                // Whatever still arrives is ignored; only the end counts.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

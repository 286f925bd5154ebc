package io.agentrelay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The client's connect, subscribe and close paths against a relay stand-in on a real socket. */
class RelayClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shouldLetASubscribeRefusedBeforeConnectBeSentAgainAfterIt() throws Exception {
        try (StandInRelay relay = new StandInRelay(true); RelayClient client = clientOf(relay)) {
            assertThatThrownBy(() -> client.subscribe("workflow:w1", event -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("connect() first");

            client.connect();

            assertThat(client.subscribe("workflow:w1", event -> { }).get(10, TimeUnit.SECONDS).data()
                .path("status").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void shouldCloseTheSocketWhenTheWelcomeDoesNotCome() throws Exception {
        try (StandInRelay relay = new StandInRelay(false)) {
            assertThatThrownBy(() -> RelayConnection.connect(relay.uri(), Duration.ofMillis(500)))
                .isInstanceOf(IOException.class).hasMessageContaining("no welcome");

            await().atMost(WAIT).until(() -> relay.openConnections() == 0);
        }
    }

    @Test
    void shouldNotKeepAConnectionThatOpensAfterClose() throws Exception {
        try (StandInRelay relay = new StandInRelay(false)) {
            RelayClient client = clientOf(relay);
            CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> {
                try {
                    client.connect();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(WAIT).until(() -> relay.openConnections() == 1);

            client.close();
            relay.welcomeAll();

            assertThat(connecting).failsWithin(WAIT);
            assertThat(client.isConnected()).isFalse();
            await().atMost(WAIT).until(() -> relay.openConnections() == 0);
        }
    }

    @Test
    void shouldLeaveNoSocketOpenWhenClosedDuringAReconnect() throws Exception {
        try (StandInRelay relay = new StandInRelay(true)) {
            RelayClient client = clientOf(relay);
            client.connect();
            relay.holdWelcomes();
            relay.dropAll();
            // The reconnect's socket (the second accepted) is open and waits for its welcome.
            await().atMost(WAIT).until(() -> relay.acceptedConnections() == 2 && relay.openConnections() == 1
                && !client.isConnected());

            client.close();

            await().atMost(WAIT).until(() -> relay.openConnections() == 0);
            relay.welcomeAll();
            assertThat(client.isConnected()).isFalse();
        }
    }

    /**
     * Pinging often: JDK 17's WebSocket can miss a relay's close that arrives while the client handles a frame (here
     * the welcome, when the machine is busy), and only the ping then tells the client that the connection is gone.
     */
    private static RelayClient clientOf(StandInRelay relay) {
        return RelayClient.builder().endpoints(List.of(relay.uri())).requestTimeout(Duration.ofSeconds(5))
            .pingInterval(Duration.ofMillis(200)).backoff(Duration.ofMillis(20), Duration.ofMillis(100)).build();
    }
}

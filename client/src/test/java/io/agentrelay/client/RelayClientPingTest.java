package io.agentrelay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.agentrelay.common.protocol.Envelope;
import org.junit.jupiter.api.Test;

/**
 * The client's ping against relay stand-ins on real sockets: a connection whose relay is gone without a close the
 * client sees is dropped, its socket closed, and the subscription resumes on another relay.
 */
class RelayClientPingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final String CHANNEL = "workflow:w1";

    @Test
    void shouldDropAConnectionWhoseRelayStopsAnsweringAndResumeOnAnother() throws Exception {
        try (StandInRelay silent = new StandInRelay(true); StandInRelay live = new StandInRelay(true);
             RelayClient client = clientOf(silent, live)) {
            List<Envelope> events = new CopyOnWriteArrayList<>();
            client.connect();
            client.subscribe(CHANNEL, events::add).get(10, TimeUnit.SECONDS);
            silent.publish(CHANNEL, "t.0.7");
            await().atMost(WAIT).until(() -> events.size() == 1);

            silent.stopAnswering();

            // Within an interval and a timeout, with room for a busy machine; the client closes its socket.
            await().atMost(PING_INTERVAL.plus(REQUEST_TIMEOUT).plusSeconds(3))
                .until(() -> silent.openConnections() == 0);
            assertResumedOn(live, client, events);
        }
    }

    @Test
    void shouldDropAConnectionWhoseRelayEndedItWhileAHandlerWorkedAndResumeOnAnother() throws Exception {
        assumeThat(Path.of("/proc/net/tcp")).as("Linux's socket table").exists();
        try (StandInRelay dying = new StandInRelay(true); StandInRelay live = new StandInRelay(true);
             RelayClient client = clientOf(dying, live)) {
            List<Envelope> events = new CopyOnWriteArrayList<>();
            client.connect();
            client.subscribe(CHANNEL, event -> {
                events.add(event);
                if (events.size() == 1) {
                    workAWhile(Duration.ofMillis(500));
                }
            }).get(10, TimeUnit.SECONDS);

            // The relay's end of stream (no close frame) arrives while the handler works on the event before it:
            // JDK 17's WebSocket then tells the client nothing, and the socket sits in CLOSE-WAIT.
            dying.publishAndDrop(CHANNEL, "t.0.7");

            await().atMost(WAIT).until(() -> !live.subscribes().isEmpty());
            int firstSocket = dying.clientPorts().get(0);
            await().atMost(WAIT).until(() -> !inCloseWait(firstSocket));
            assertResumedOn(live, client, events);
        }
    }

    @Test
    void shouldKeepAConnectionWhosePingAnswerWaitsBehindEventsASlowHandlerHasNotTaken() throws Exception {
        try (StandInRelay relay = new StandInRelay(true); StandInRelay other = new StandInRelay(true);
             RelayClient client = clientOf(relay, other)) {
            List<Envelope> events = new CopyOnWriteArrayList<>();
            client.connect();
            client.subscribe(CHANNEL, event -> {
                events.add(event);
                workAWhile(Duration.ofMillis(250));
            }).get(10, TimeUnit.SECONDS);

            // Three seconds of work queued: each ping's answer arrives behind events, well after the request timeout.
            int count = 12;
            for (int i = 1; i <= count; i++) {
                relay.publish(CHANNEL, "t.0." + i);
            }

            await().atMost(WAIT.plusSeconds(5)).until(() -> events.size() == count);
            assertThat(client.reconnects()).isZero();
            assertThat(relay.acceptedConnections()).isEqualTo(1);
            assertThat(other.acceptedConnections()).isZero();
        }
    }

    /** Resumed on the live relay from the last event received, and getting its events. */
    private static void assertResumedOn(StandInRelay live, RelayClient client, List<Envelope> events) {
        await().atMost(WAIT).until(() -> !live.subscribes().isEmpty() && client.isConnected());
        assertThat(live.subscribes().get(0).path("channel").asText()).isEqualTo(CHANNEL);
        assertThat(live.subscribes().get(0).path("since").asText()).isEqualTo("t.0.7");
        live.publish(CHANNEL, "t.0.8");
        await().atMost(WAIT).until(() -> events.size() == 2);
        assertThat(events).extracting(Envelope::pos).containsExactly("t.0.7", "t.0.8");
    }

    /** A handler that takes a while over an event, as application code may. */
    private static void workAWhile(Duration time) {
        try {
            Thread.sleep(time.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a socket of this local port is in CLOSE-WAIT: its peer ended, and it was never closed here. */
    private static boolean inCloseWait(int localPort) throws IOException {
        String port = String.format(Locale.ROOT, ":%04X", localPort);
        try (Stream<String> v4 = Files.lines(Path.of("/proc/net/tcp"));
             Stream<String> v6 = Files.lines(Path.of("/proc/net/tcp6"))) {
            // Columns: sl local_address rem_address st ...; 08 is CLOSE_WAIT.
            return Stream.concat(v4, v6).map(line -> line.trim().split("\\s+"))
                .anyMatch(columns -> columns[1].endsWith(port) && "08".equals(columns[3]));
        }
    }

    private static RelayClient clientOf(StandInRelay first, StandInRelay second) {
        return RelayClient.builder().endpoints(List.of(first.uri(), second.uri())).requestTimeout(REQUEST_TIMEOUT)
            .pingInterval(PING_INTERVAL).backoff(Duration.ofMillis(20), Duration.ofMillis(100)).build();
    }
}

package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.dialect.praxis.PraxisDialect;
import org.junit.jupiter.api.Test;

class LivenessTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private final AtomicLong clock = new AtomicLong();

    @Test
    void shouldNeverCloseASilentConnectionBeforeItWasPingedAndHadTimeToAnswer() {
        Liveness liveness = new Liveness(new CanonicalDialect(), INTERVAL, clock::get);

        advance(Duration.ofMinutes(5));
        assertThat(liveness.closeReason()).as("silent, but never pinged").isNull();
        assertThat(liveness.probeDue()).isTrue();
        assertThat(liveness.closeReason()).as("pinged just now").isNull();

        advance(INTERVAL.plusMillis(1));
        assertThat(liveness.closeReason()).isEqualTo("heartbeat timeout: no frame and no pong for 90000 ms");
    }

    @Test
    void shouldKeepAConnectionWhoseSocketAnswersPings() {
        Liveness liveness = new Liveness(new CanonicalDialect(), INTERVAL, clock::get);

        for (int i = 0; i < 10; i++) {
            advance(INTERVAL.plusMillis(1));
            assertThat(liveness.probeDue()).isTrue();
            advance(Duration.ofMillis(5));
            liveness.heard();
            assertThat(liveness.closeReason()).isNull();
        }
    }

    @Test
    void shouldTimeOutOnlyPraxisClientsThatPingedAndStopped() {
        Liveness silent = new Liveness(new PraxisDialect(INTERVAL), INTERVAL, clock::get);
        Liveness pinger = new Liveness(new PraxisDialect(INTERVAL), INTERVAL, clock::get);
        pinger.clientPinged();

        advance(INTERVAL.multipliedBy(3).plusMillis(1));
        silent.heard();
        pinger.heard();

        assertThat(silent.closeReason()).isNull();
        assertThat(pinger.closeReason()).isEqualTo("heartbeat timeout: no ping for 90000 ms");
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }
}

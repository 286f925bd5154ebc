package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.agentrelay.relay.dialect.FrameRate;
import org.junit.jupiter.api.Test;

class FrameRateLimiterTest {

    private final AtomicLong clock = new AtomicLong();
    private final FrameRateLimiter limiter = new FrameRateLimiter(FrameRate.perSecond(10), clock::get);

    @Test
    void shouldAdmitABurstUpToTheRateThenReject() {
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.ADMIT);
        }
        assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.REJECT);
    }

    @Test
    void shouldRefillAtTheRate() {
        drain();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));

        assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.ADMIT);
        assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.REJECT);
    }

    @Test
    void shouldDisconnectAClientThatKeepsSendingWhileRefused() {
        drain();
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.REJECT);
        }

        assertThat(limiter.admit()).isEqualTo(FrameRateLimiter.Verdict.DISCONNECT);
    }

    @Test
    void shouldOnlySlowDownAClientALittleOverTheRate() {
        int admitted = 0;
        for (int frame = 0; frame < 150; frame++) {
            // 15 frames a second for ten seconds against a limit of 10.
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1) / 15);
            FrameRateLimiter.Verdict verdict = limiter.admit();
            assertThat(verdict).isNotEqualTo(FrameRateLimiter.Verdict.DISCONNECT);
            admitted += verdict == FrameRateLimiter.Verdict.ADMIT ? 1 : 0;
        }

        assertThat(admitted).isBetween(100, 111);
    }

    private void drain() {
        for (int i = 0; i < 10; i++) {
            limiter.admit();
        }
    }
}

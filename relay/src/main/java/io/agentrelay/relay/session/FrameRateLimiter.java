package io.agentrelay.relay.session;

import java.util.function.LongSupplier;

import io.agentrelay.relay.dialect.FrameRate;

/**
 * A token bucket over one connection's inbound frames: {@link FrameRate#frames()} frames per
 * {@link FrameRate#per()}, with bursts of the same size. A client over the limit gets {@code RATE_LIMITED} errors. Refused frames draw on a second bucket of the
 * same size and rate: a client that keeps sending at more than twice the rate while refused empties it, is flooding,
 * and is disconnected; one a little over the rate is only slowed down.
 *
 * <p>Not thread-safe: Undertow delivers one connection's frames on one I/O thread at a time.
 */
final class FrameRateLimiter {

    /** What to do with a frame. */
    enum Verdict {
        /** Within the rate: handle it. */
        ADMIT,
        /** Over the rate: answer with {@code RATE_LIMITED}. */
        REJECT,
        /** Still sending while refused: close the connection. */
        DISCONNECT
    }

    private final double capacity;
    private final double tokensPerNano;
    private final LongSupplier nanoTime;
    private double tokens;
    private double refusals;
    private long refilledAt;

    FrameRateLimiter(FrameRate rate, LongSupplier nanoTime) {
        this.capacity = rate.frames();
        this.tokensPerNano = (double) rate.frames() / rate.per().toNanos();
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.refusals = capacity;
        this.refilledAt = nanoTime.getAsLong();
    }

    Verdict admit() {
        long now = nanoTime.getAsLong();
        double refill = (now - refilledAt) * tokensPerNano;
        refilledAt = now;
        tokens = Math.min(capacity, tokens + refill);
        refusals = Math.min(capacity, refusals + refill);
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ADMIT;
        }
        if (refusals >= 1) {
            refusals -= 1;
            return Verdict.REJECT;
        }
        return Verdict.DISCONNECT;
    }
}

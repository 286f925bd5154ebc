package io.agentrelay.client.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a loop at a steady rate from a fixed start, so that a late iteration is followed by quicker ones instead of
 * lowering the rate (no coordinated omission in what the publisher offers).
 */
final class Pacer {

    private final long start = System.nanoTime();
    private final double intervalNanos;
    private long count;

    /**
     * @param perSecond iterations a second
     */
    Pacer(double perSecond) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("the rate must be positive");
        }
        this.intervalNanos = 1e9 / perSecond;
    }

    /** Waits until the next iteration is due. */
    void await() {
        long due = start + (long) (count++ * intervalNanos);
        for (long wait; (wait = due - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Nanoseconds since the pacer was made. */
    long elapsedNanos() {
        return System.nanoTime() - start;
    }
}

package io.agentrelay.tools.bench;

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

    /** Waits until the next iteration is due; returns when it was due ({@link System#nanoTime()}). */
    long await() {
        long due = nextDue();
        count++;
        for (long wait; (wait = due - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
        return due;
    }

    /** Whether the next iteration is due already: {@link #await()} would not wait. */
    boolean due() {
        return nextDue() <= System.nanoTime();
    }

    private long nextDue() {
        return start + (long) (count * intervalNanos);
    }

    /** Nanoseconds since the pacer was made. */
    long elapsedNanos() {
        return System.nanoTime() - start;
    }
}

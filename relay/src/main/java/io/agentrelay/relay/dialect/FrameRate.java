package io.agentrelay.relay.dialect;

import java.time.Duration;

/**
 * How many frames a connection may send in a period, with bursts of as many.
 *
 * @param frames frames allowed per period
 * @param per    the period
 */
public record FrameRate(int frames, Duration per) {

    /** Validates the values. */
    public FrameRate {
        if (frames <= 0 || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("a frame rate needs positive frames and period, but was " + frames
                + " per " + per);
        }
    }

    /**
     * @param frames frames a second
     * @return the rate
     */
    public static FrameRate perSecond(int frames) {
        return new FrameRate(frames, Duration.ofSeconds(1));
    }

    /**
     * @param frames frames a minute
     * @return the rate
     */
    public static FrameRate perMinute(int frames) {
        return new FrameRate(frames, Duration.ofMinutes(1));
    }
}

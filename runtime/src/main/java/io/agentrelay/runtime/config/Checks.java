package io.agentrelay.runtime.config;

import java.time.Duration;

/** Validations for the compact constructors of the configuration records. */
public final class Checks {

    private Checks() {
    }

    public static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", but was " + value);
        }
        return value;
    }

    public static Duration millis(String name, Duration value, long min, long max) {
        if (value == null) {
            throw new ConfigException(name + " must be set");
        }
        long millis = value.toMillis();
        if (millis < min || millis > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + " milliseconds, but was "
                + millis);
        }
        return value;
    }

    public static String notBlank(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(name + " must not be blank");
        }
        return value;
    }
}

package io.agentrelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Reads typed settings from environment variables, failing with a {@link ConfigException} that names the variable
 * and its bad value.
 */
final class Env {

    private final Map<String, String> variables;

    Env(Map<String, String> variables) {
        this.variables = Objects.requireNonNull(variables, "variables");
    }

    String string(String name, String defaultValue) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /** A whole number, or the default when unset; the record's constructor checks its range. */
    int integer(String name, int defaultValue) {
        return integer(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    int integer(String name, int defaultValue, int min, int max) {
        String value = variables.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Checks.range(name, Integer.parseInt(value.trim()), min, max);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, but was '" + value + "'");
        }
    }

    /** Milliseconds, or the default when unset; the record's constructor checks their range. */
    Duration millis(String name, Duration defaultValue) {
        return millis(name, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    Duration millis(String name, Duration defaultValue, long min, long max) {
        String value = variables.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < min || parsed > max) {
                throw new ConfigException(name + " must be between " + min + " and " + max
                    + " milliseconds, but was " + parsed);
            }
            return Duration.ofMillis(parsed);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number of milliseconds, but was '" + value + "'");
        }
    }

    Path path(String name, Path defaultValue) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? defaultValue : Path.of(value.trim());
    }
}

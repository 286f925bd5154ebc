package io.agentrelay.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Reads typed settings from environment variables, failing with a {@link ConfigException} that names the variable
 * and its bad value.
 */
public final class Env {

    private final Map<String, String> variables;

    public Env(Map<String, String> variables) {
        this.variables = Objects.requireNonNull(variables, "variables");
    }

    public String string(String name, String defaultValue) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /** Parses only: the record's constructor checks the range. */
    public int integer(String name, int defaultValue) {
        String value = variables.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, but was '" + value + "'");
        }
    }

    /** Parses only, empty when unset: the record's constructor checks the range. */
    public OptionalInt optionalInteger(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? OptionalInt.empty() : OptionalInt.of(integer(name, 0));
    }

    /** Parses only: the record's constructor checks the range. */
    public Duration millis(String name, Duration defaultValue) {
        String value = variables.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number of milliseconds, but was '" + value + "'");
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        String value = variables.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name + " must be true or false, but was '" + value + "'");
        };
    }

    public Path path(String name, Path defaultValue) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? defaultValue : Path.of(value.trim());
    }
}

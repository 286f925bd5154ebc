package io.agentrelay.executor.spi;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One change of a panel's state, at a path of object keys separated by dots ({@code todos}, {@code filters.done}).
 * Clients receive mutations as they are, in {@code PATCH} frames, and apply them to their copy of the state.
 *
 * @param op    what to do
 * @param path  where
 * @param value the value to set or append; null for {@code delete}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateMutation(Op op, String path, JsonNode value) {

    /** The kinds of change. */
    public enum Op {
        /** Put the value at the path, creating missing objects on the way. */
        SET,
        /** Remove the key at the path; nothing happens when it is absent. */
        DELETE,
        /** Add the value at the end of the array at the path, creating the array when absent. */
        APPEND;

        @JsonValue
        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates the fields. */
    public StateMutation {
        Objects.requireNonNull(op, "op");
        if (path == null || path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("a state path is object keys separated by dots, but was '" + path + "'");
        }
        if (op != Op.DELETE) {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Sets a value. */
    public static StateMutation set(String path, JsonNode value) {
        return new StateMutation(Op.SET, path, value);
    }

    /** Deletes a key. */
    public static StateMutation delete(String path) {
        return new StateMutation(Op.DELETE, path, null);
    }

    /** Appends to an array. */
    public static StateMutation append(String path, JsonNode value) {
        return new StateMutation(Op.APPEND, path, value);
    }
}

package io.agentrelay.executor.panel;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentrelay.executor.spi.EmittedEvent;
import io.agentrelay.executor.spi.PanelCall;
import io.agentrelay.executor.spi.PanelHandler;
import io.agentrelay.executor.spi.PanelOutcome;
import io.agentrelay.executor.spi.StateMutation;
import io.agentrelay.executor.spi.ToolException;

/**
 * The panel handlers every executor has. Each reads {@code path} and its other inputs from the caller's args or, when
 * absent there, the tool's params, so a definition can fix the path and let callers give the value.
 */
final class BuiltInHandlers {

    private BuiltInHandlers() {
    }

    static List<PanelHandler> all() {
        return List.of(new Set(), new Add(), new Append(), new Delete(), new Emit());
    }

    /** {@code set}: puts {@code value} at {@code path}; returns the value. */
    static final class Set implements PanelHandler {
        @Override
        public String name() {
            return "set";
        }

        @Override
        public PanelOutcome handle(PanelCall call) throws ToolException {
            JsonNode value = required(call, "value");
            return PanelOutcome.of(StateMutation.set(path(call), value), value);
        }
    }

    /** {@code add}: adds the number {@code by} (default 1) to the number at {@code path}; returns the new number. */
    static final class Add implements PanelHandler {
        @Override
        public String name() {
            return "add";
        }

        @Override
        public PanelOutcome handle(PanelCall call) throws ToolException {
            String path = path(call);
            JsonNode by = call.param("by");
            if (by != null && !by.isNumber()) {
                throw new ToolException("'by' must be a number");
            }
            JsonNode current = at(call.state(), path);
            if (current != null && !current.isNumber()) {
                throw new ToolException("'" + path + "' is not a number");
            }
            JsonNode next = sum(current, by);
            return PanelOutcome.of(StateMutation.set(path, next), next);
        }

        private static JsonNode sum(JsonNode current, JsonNode by) {
            JsonNodeFactory json = JsonNodeFactory.instance;
            if ((current == null || current.canConvertToLong() && current.isIntegralNumber())
                && (by == null || by.isIntegralNumber())) {
                return json.numberNode((current == null ? 0 : current.longValue()) + (by == null ? 1 : by.longValue()));
            }
            return json.numberNode((current == null ? 0 : current.doubleValue()) + (by == null ? 1 : by.doubleValue()));
        }
    }

    /** {@code append}: adds {@code value} at the end of the array at {@code path}; returns the value. */
    static final class Append implements PanelHandler {
        @Override
        public String name() {
            return "append";
        }

        @Override
        public PanelOutcome handle(PanelCall call) throws ToolException {
            JsonNode value = required(call, "value");
            return PanelOutcome.of(StateMutation.append(path(call), value), value);
        }
    }

    /** {@code delete}: removes the key at {@code path}; returns whether it was there. */
    static final class Delete implements PanelHandler {
        @Override
        public String name() {
            return "delete";
        }

        @Override
        public PanelOutcome handle(PanelCall call) throws ToolException {
            String path = path(call);
            boolean present = at(call.state(), path) != null;
            return PanelOutcome.of(StateMutation.delete(path), JsonNodeFactory.instance.booleanNode(present));
        }
    }

    /** {@code emit}: emits the event {@code event} with the caller's args as data; changes no state. */
    static final class Emit implements PanelHandler {
        @Override
        public String name() {
            return "emit";
        }

        @Override
        public PanelOutcome handle(PanelCall call) throws ToolException {
            JsonNode event = required(call, "event");
            if (!event.isTextual() || event.asText().isBlank()) {
                throw new ToolException("'event' must be a non-empty string");
            }
            return new PanelOutcome(List.of(), List.of(new EmittedEvent(event.asText(), call.args())),
                JsonNodeFactory.instance.booleanNode(true));
        }
    }

    private static String path(PanelCall call) throws ToolException {
        JsonNode path = required(call, "path");
        if (!path.isTextual()) {
            throw new ToolException("'path' must be a string of object keys separated by dots");
        }
        try {
            StateMutation.delete(path.asText());
        } catch (IllegalArgumentException e) {
            throw new ToolException(e.getMessage());
        }
        return path.asText();
    }

    private static JsonNode required(PanelCall call, String name) throws ToolException {
        JsonNode value = call.param(name);
        if (value == null) {
            throw new ToolException("'" + name + "' is required");
        }
        return value;
    }

    private static JsonNode at(JsonNode state, String path) {
        JsonNode node = state;
        for (String key : path.split("\\.")) {
            node = node == null ? null : node.get(key);
        }
        return node == null || node.isNull() ? null : node;
    }
}

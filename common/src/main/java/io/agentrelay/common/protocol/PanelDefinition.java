package io.agentrelay.common.protocol;

import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A panel as its author declares it, in a file an executor loads or in {@code POST /api/panels}: an id, the initial
 * state and the tools clients may trigger.
 *
 * @param id    the panel's id, also its channel {@code panel:<id>}
 * @param state the initial state, a JSON object
 * @param tools the tools by name
 */
public record PanelDefinition(String id, JsonNode state, Map<String, PanelTool> tools) {

    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Validates the definition, so that a bad one is refused before it reaches an executor. */
    public PanelDefinition {
        if (id == null || !Pattern.matches("[A-Za-z0-9._-]{1,128}", id)) {
            throw new RelayException(ErrorCode.INVALID_REQUEST,
                "a panel needs an 'id' of 1 to 128 characters of [A-Za-z0-9._-]");
        }
        state = state == null || state.isNull() ? JsonNodeFactory.instance.objectNode() : state;
        if (!state.isObject()) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "a panel's 'state' must be a JSON object");
        }
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        for (String name : tools.keySet()) {
            if (!TOOL_NAME.matcher(name).matches()) {
                throw new RelayException(ErrorCode.INVALID_REQUEST,
                    "tool name '" + name + "' must be 1 to 64 characters of [A-Za-z0-9._-]");
            }
        }
    }
}

package io.agentrelay.common.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * One tool of a panel, as its definition declares it: the handler that carries it out and that handler's fixed
 * parameters.
 *
 * @param handler     the name of a panel handler on the executors ({@code set}, {@code add}, or a plugin's)
 * @param params      fixed parameters for the handler, such as the state path it works on; merged under the
 *                    caller's {@code args}
 * @param description what the tool does, for people; may be null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PanelTool(String handler, JsonNode params, String description) {

    /** Requires a handler and fills missing params with an empty object. */
    public PanelTool {
        if (handler == null || handler.isBlank()) {
            throw new IllegalArgumentException("a panel tool needs a 'handler'");
        }
        params = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
    }
}

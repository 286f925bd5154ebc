package io.agentrelay.executor.tool;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.executor.spi.ToolException;

/** Reads the parameters of built-in tools, with errors that name the field. */
final class Params {

    private Params() {
    }

    static String text(JsonNode params, String field) throws ToolException {
        JsonNode value = params.get(field);
        if (value == null || value.isNull()) {
            throw new ToolException("missing field '" + field + "'");
        }
        if (!value.isTextual()) {
            throw new ToolException("field '" + field + "' must be a string");
        }
        return value.asText();
    }

    static long wholeNumber(JsonNode params, String field) throws ToolException {
        JsonNode value = params.get(field);
        if (value == null || value.isNull()) {
            throw new ToolException("missing field '" + field + "'");
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new ToolException("field '" + field + "' must be a whole number");
        }
        return value.asLong();
    }
}

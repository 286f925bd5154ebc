package io.agentrelay.executor.tool;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.ToolException;

/** Reads the parameters of built-in tools, with errors that name the field. */
final class Params {

    private Params() {
    }

    /**
     * The JSON Schema of an object, for {@code list_tools}.
     *
     * @param required      the fields it must have
     * @param namesAndTypes each field's name, then its JSON type
     */
    static JsonNode schema(List<String> required, String... namesAndTypes) {
        ObjectNode schema = Json.object().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            properties.putObject(namesAndTypes[i]).put("type", namesAndTypes[i + 1]);
        }
        required.forEach(schema.putArray("required")::add);
        return schema;
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

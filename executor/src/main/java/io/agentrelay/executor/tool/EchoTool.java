package io.agentrelay.executor.tool;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/** {@code echo {message}}: returns {@code {message}}. */
final class EchoTool implements Tool {

    @Override
    public List<String> positionalParameters() {
        return List.of("message");
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String description() {
        return "Returns its message: {message}.";
    }

    @Override
    public JsonNode inputSchema() {
        return Params.schema(List.of("message"), "message", "string");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void validate(JsonNode params, ToolContext context) throws ToolException {
        Params.text(params, "message");
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
        return Json.object().put("message", Params.text(params, "message"));
    }
}

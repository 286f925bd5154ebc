package io.agentrelay.executor.tool;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/** {@code fail {reason}}: always fails with the reason; for testing how clients see failures. */
final class FailTool implements Tool {

    @Override
    public List<String> positionalParameters() {
        return List.of("reason");
    }

    @Override
    public String name() {
        return "fail";
    }

    @Override
    public String description() {
        return "Always fails with its reason, for testing clients.";
    }

    @Override
    public JsonNode inputSchema() {
        return Params.schema(List.of(), "reason", "string");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
        JsonNode reason = params.path("reason");
        throw new ToolException(reason.isTextual() ? reason.asText() : "failed on purpose");
    }
}

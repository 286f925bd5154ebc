package io.agentrelay.executor.mcp;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/**
 * One tool of an MCP server, as a workflow node's tool {@code <server>/<tool>}: its parameters are checked against
 * the tool's {@code inputSchema} before the workflow starts, and a run is a {@code tools/call}.
 */
final class McpTool implements Tool {

    private final McpServer server;
    private final String toolName;
    private final String description;
    private final JsonNode inputSchema;
    private final Schema schema;
    private final boolean idempotent;

    McpTool(McpServer server, String toolName, String description, JsonNode inputSchema, Schema schema,
            boolean idempotent) {
        this.server = server;
        this.toolName = toolName;
        this.description = description;
        this.inputSchema = inputSchema;
        this.schema = schema;
        this.idempotent = idempotent;
    }

    @Override
    public String name() {
        return server.name() + "/" + toolName;
    }

    /** The tool's name on its server. */
    String toolName() {
        return toolName;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public JsonNode inputSchema() {
        return inputSchema;
    }

    /** The server's {@code idempotentHint}: a new owner runs the node again only if the server says it may. */
    @Override
    public boolean idempotent() {
        return idempotent;
    }

    @Override
    public void validate(JsonNode params, ToolContext context) throws ToolException {
        List<Error> errors = schema.validate(params);
        if (!errors.isEmpty()) {
            throw new ToolException("params do not match the tool's input schema: " + errors.stream()
                .map(Error::toString).limit(5).collect(Collectors.joining("; ")));
        }
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException, InterruptedException {
        return server.call(this, params, context);
    }
}

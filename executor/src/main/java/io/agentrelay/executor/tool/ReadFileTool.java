package io.agentrelay.executor.tool;

import java.util.List;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/** {@code read_file {filename}}: reads UTF-8 text from inside the sandbox; returns {@code {filename, content}}. */
final class ReadFileTool implements Tool {

    /** Results travel in events; a file larger than this belongs in a file, not in a frame. */
    static final long MAX_BYTES = 256 * 1024;

    @Override
    public List<String> positionalParameters() {
        return List.of("filename");
    }

    @Override
    public String name() {
        return "read_file";
    }

    @Override
    public String description() {
        return "Reads a file of the sandbox: {filename, content}.";
    }

    @Override
    public JsonNode inputSchema() {
        return Params.schema(List.of("filename"), "filename", "string");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void validate(JsonNode params, ToolContext context) throws ToolException {
        Sandbox.resolve(context.sandbox(), Params.text(params, "filename"));
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
        String filename = Params.text(params, "filename");
        try {
            Path source = Sandbox.forReading(context.sandbox(), filename);
            if (Files.size(source) > MAX_BYTES) {
                throw new ToolException("'" + filename + "' is larger than " + MAX_BYTES + " bytes");
            }
            return Json.object().put("filename", filename)
                .put("content", Files.readString(source, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ToolException("'" + filename + "' does not exist in the sandbox", e);
        } catch (IOException e) {
            throw new ToolException("cannot read '" + filename + "': " + e.getMessage(), e);
        }
    }
}

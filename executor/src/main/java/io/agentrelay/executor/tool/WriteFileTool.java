package io.agentrelay.executor.tool;

import java.util.List;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/** {@code write_file {filename, content}}: writes UTF-8 text inside the sandbox; returns {@code {filename, bytes}}. */
final class WriteFileTool implements Tool {

    @Override
    public List<String> positionalParameters() {
        return List.of("filename", "content");
    }

    @Override
    public String name() {
        return "write_file";
    }

    @Override
    public String description() {
        return "Writes content to a file of the sandbox: {filename, bytes}.";
    }

    @Override
    public JsonNode inputSchema() {
        return Params.schema(List.of("filename", "content"), "filename", "string", "content", "string");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void validate(JsonNode params, ToolContext context) throws ToolException {
        Sandbox.resolve(context.sandbox(), Params.text(params, "filename"));
        Params.text(params, "content");
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
        String filename = Params.text(params, "filename");
        byte[] content = Params.text(params, "content").getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(Sandbox.forWriting(context.sandbox(), filename), content, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ToolException("cannot write '" + filename + "': " + e.getMessage(), e);
        }
        return Json.object().put("filename", filename).put("bytes", content.length);
    }
}

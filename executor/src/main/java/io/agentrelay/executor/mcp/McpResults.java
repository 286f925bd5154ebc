package io.agentrelay.executor.mcp;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.ToolException;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * A {@code tools/call} result as a node's output: its {@code structuredContent} when present, else its content, one
 * text as that text, several items as an array in which texts stay texts and binary data is described by its size
 * rather than copied (the output limit still applies to what is left).
 */
final class McpResults {

    /** The most characters of a server's failure reason that a node's reason shows. */
    static final int MAX_REASON_CHARS = 1024;

    private McpResults() {
    }

    /**
     * @throws ToolException with the server's message when the result is an error ({@code isError})
     */
    static JsonNode output(McpSchema.CallToolResult result) throws ToolException {
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        if (Boolean.TRUE.equals(result.isError())) {
            String message = content.stream().filter(McpSchema.TextContent.class::isInstance)
                .map(item -> ((McpSchema.TextContent) item).text()).collect(Collectors.joining("\n"));
            throw new ToolException(message.isEmpty() ? "the tool reported an error" : cut(message));
        }
        if (result.structuredContent() != null) {
            return Json.tree(result.structuredContent());
        }
        if (content.size() == 1 && content.get(0) instanceof McpSchema.TextContent text) {
            return TextNode.valueOf(text.text());
        }
        ArrayNode items = Json.object().arrayNode();
        content.forEach(item -> items.add(item(item)));
        return items;
    }

    /**
     * @param reason a failure reason a server sent
     * @return at most {@value #MAX_REASON_CHARS} characters of it, so that a server cannot flood node.failed
     */
    static String cut(String reason) {
        if (reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        int end = Character.isHighSurrogate(reason.charAt(MAX_REASON_CHARS - 1)) ? MAX_REASON_CHARS - 1
            : MAX_REASON_CHARS;
        return reason.substring(0, end) + "… (" + (reason.length() - end) + " more characters)";
    }

    private static JsonNode item(McpSchema.Content item) {
        if (item instanceof McpSchema.TextContent text) {
            return TextNode.valueOf(text.text());
        }
        JsonNode tree = Json.tree(item);
        if (tree instanceof ObjectNode object) {
            object.put("type", item.type());
            describeData(object);
            if (object.get("resource") instanceof ObjectNode resource) {
                describeData(resource);
            }
        }
        return tree;
    }

    /** Base64 {@code data} or {@code blob} becomes its decoded size. */
    private static void describeData(ObjectNode object) {
        for (String field : List.of("data", "blob")) {
            JsonNode value = object.remove(field);
            if (value != null && value.isTextual()) {
                object.put(field + "_bytes", value.asText().length() / 4L * 3);
            }
        }
    }
}

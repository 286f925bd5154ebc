package io.agentrelay.executor.mcp;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.common.json.Json;

/**
 * The MCP servers an executor is a client of, from the file that {@code EXECUTOR_MCP_CONFIG} names, in the form MCP
 * clients share:
 * <pre>{@code
 * {"mcpServers": {
 *   "everything": {"command": "npx", "args": ["@modelcontextprotocol/server-everything"], "env": {"A": "b"}},
 *   "search": {"url": "http://127.0.0.1:3001/mcp", "headers": {"Authorization": "Bearer …"},
 *              "idempotentTools": ["lookup"]}}}
 * }</pre>
 *
 * @param servers the servers by name, in the file's order
 */
public record McpConfig(Map<String, McpServerSpec> servers) {

    /** The environment variable that names the file. */
    public static final String ENV = "EXECUTOR_MCP_CONFIG";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Checks every server's name. */
    public McpConfig {
        servers.keySet().forEach(name -> {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(ENV + ": server name '" + name
                    + "' must be 1 to 64 of [A-Za-z0-9._-] (no '/': tools are named <server>/<tool>)");
            }
        });
        servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    }

    /** No servers: the executor offers only its built-in and plugged-in tools. */
    public static McpConfig none() {
        return new McpConfig(Map.of());
    }

    /**
     * @param env the environment
     * @return the servers of the file {@code EXECUTOR_MCP_CONFIG} names, or none when it is not set
     * @throws ConfigException naming the file and what is wrong with it
     */
    public static McpConfig fromEnv(Map<String, String> env) {
        String file = env.get(ENV);
        if (file == null || file.isBlank()) {
            return none();
        }
        Path path = Path.of(file.trim());
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(ENV + ": cannot read " + path + ": " + e);
        }
        return parse(text, path.toString());
    }

    /**
     * @param text   the file's JSON
     * @param source where it came from, for messages
     * @return the servers it lists
     * @throws ConfigException naming what is wrong
     */
    static McpConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = Json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(ENV + ": " + source + " is not JSON: " + e.getOriginalMessage());
        }
        JsonNode servers = root == null ? null : root.get("mcpServers");
        if (servers == null || !servers.isObject()) {
            throw new ConfigException(ENV + ": " + source + " needs an object 'mcpServers'");
        }
        Map<String, McpServerSpec> specs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : servers.properties()) {
            String where = ENV + ": " + source + ": server '" + entry.getKey() + "'";
            specs.put(entry.getKey(), server(entry.getValue(), where));
        }
        return new McpConfig(specs);
    }

    private static McpServerSpec server(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ConfigException(where + " must be an object");
        }
        boolean stdio = node.has("command");
        if (stdio == node.has("url")) {
            throw new ConfigException(where + " needs exactly one of 'command' (stdio) or 'url' (streamable HTTP)");
        }
        Set<String> idempotentTools = new LinkedHashSet<>(strings(node.get("idempotentTools"),
            where + " 'idempotentTools'"));
        if (stdio) {
            return new McpServerSpec.Stdio(text(node, "command", where), strings(node.get("args"), where + " 'args'"),
                stringMap(node.get("env"), where + " 'env'"), idempotentTools);
        }
        URI url;
        try {
            url = URI.create(text(node, "url", where));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + " 'url' is not a URL: " + e.getMessage());
        }
        return new McpServerSpec.Http(url, stringMap(node.get("headers"), where + " 'headers'"), idempotentTools);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(where + " '" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode node, String where) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw new ConfigException(where + " must be an array of strings");
        }
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw new ConfigException(where + " must be an array of strings, but has " + value);
            }
            values.add(value.asText());
        }
        return values;
    }

    private static Map<String, String> stringMap(JsonNode node, String where) {
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw new ConfigException(where + " must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new ConfigException(where + " '" + entry.getKey() + "' must be a string");
            }
            values.put(entry.getKey(), entry.getValue().asText());
        }
        return values;
    }
}

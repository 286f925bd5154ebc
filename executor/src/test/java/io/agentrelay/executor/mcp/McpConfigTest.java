package io.agentrelay.executor.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.agentrelay.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McpConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadStdioAndHttpServersInTheSharedFormat() throws Exception {
        Path file = Files.writeString(dir.resolve("mcp.json"), """
            {"mcpServers": {
              "everything": {"command": "npx", "args": ["-y", "server"], "env": {"A": "b"}},
              "search": {"url": "http://127.0.0.1:3001/mcp", "headers": {"Authorization": "Bearer t"},
                         "idempotentTools": ["lookup"]}}}
            """);

        McpConfig config = McpConfig.fromEnv(Map.of(McpConfig.ENV, file.toString()));

        assertThat(config.servers()).containsEntry("everything",
            new McpServerSpec.Stdio("npx", List.of("-y", "server"), Map.of("A", "b"), Set.of()));
        assertThat(config.servers()).containsEntry("search", new McpServerSpec.Http(
            URI.create("http://127.0.0.1:3001/mcp"), Map.of("Authorization", "Bearer t"), Set.of("lookup")));
        assertThat(McpConfig.fromEnv(Map.of()).servers()).isEmpty();
    }

    @Test
    void shouldPrintAServerWithoutItsArgumentsHeaderOrVariableValues() {
        McpConfig config = McpConfig.parse("""
            {"mcpServers": {
              "db": {"command": "db-server", "args": ["--password", "hunter2"], "env": {"TOKEN": "t0ken"}},
              "search": {"url": "http://127.0.0.1:3001/mcp", "headers": {"Authorization": "Bearer s3cret"}}}}
            """, "mcp.json");

        assertThat(config.toString()).contains("db-server", "2 arguments", "TOKEN", "Authorization")
            .doesNotContain("hunter2", "--password", "t0ken", "s3cret");
    }

    @Test
    void shouldRefuseABadFileNamingTheProblem() {
        assertRefused("{\"mcpServers\": {\"a/b\": {\"command\": \"x\"}}}", "server name 'a/b'");
        assertRefused("{\"mcpServers\": {\"s\": {\"command\": \"x\", \"url\": \"http://h/mcp\"}}}",
            "server 's' needs exactly one of 'command' (stdio) or 'url'");
        assertRefused("{\"mcpServers\": {\"s\": {}}}", "server 's' needs exactly one of");
        assertRefused("{\"mcpServers\": {\"s\": {\"command\": \"x\", \"args\": \"-v\"}}}",
            "server 's' 'args' must be an array of strings");
        assertRefused("{\"mcpServers\": {\"s\": {\"url\": \"ftp://h/mcp\"}}}", "must be an http or https URL");
        assertRefused("{\"mcpServers\": {\"s\": {\"command\": \"x\", \"idempotentTools\": \"get\"}}}",
            "server 's' 'idempotentTools' must be an array of strings");
        assertRefused("{\"servers\": {}}", "needs an object 'mcpServers'");
        assertRefused("{not json", "is not JSON");
        assertThatThrownBy(() -> McpConfig.fromEnv(Map.of(McpConfig.ENV, dir.resolve("missing.json").toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> McpConfig.parse(json, "mcp.json"))
            .isInstanceOf(ConfigException.class).hasMessageContaining(McpConfig.ENV).hasMessageContaining(message);
    }
}

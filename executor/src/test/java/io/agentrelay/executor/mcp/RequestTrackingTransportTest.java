package io.agentrelay.executor.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's client, used after it was closed, starts a new session on the same transport: for a stdio server, a new
 * process, while the first one is left running, since the transport forgets it. A call that took a connection just as
 * it was lost does that, and so does the SDK itself on a message that arrives while it closes. The transport must
 * refuse. Against the real reference server process.
 */
class RequestTrackingTransportTest {

    private static final Path MCP = Path.of("src/test/mcp").toAbsolutePath();
    private static final Path SERVER =
        MCP.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

    @TempDir
    Path files;
    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void killWhatWasLeft() throws Exception {
        Path pidFile = files.resolve("server.pid");
        if (Files.exists(pidFile)) {
            started.add(pid(pidFile));
        }
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void shouldNotStartASecondServerProcessForAClientUsedAfterItWasClosed() throws Exception {
        assumeTrue(Files.exists(SERVER), SERVER + " is missing: run npm ci --prefix executor/src/test/mcp");
        Path pidFile = files.resolve("server.pid");
        StdioClientTransport stdio = new StdioClientTransport(ServerParameters.builder("node")
            .args("--require", MCP.resolve("record-stdin.cjs").toString(), SERVER.toString(), "stdio")
            .env(Map.of("MCP_PID_FILE", pidFile.toString())).build(), new JacksonMcpJsonMapper(new ObjectMapper()));
        McpAsyncClient client = McpClient.async(new RequestTrackingTransport(stdio))
            .requestTimeout(Duration.ofSeconds(20)).build();
        client.initialize().block(Duration.ofSeconds(20));
        long first = pid(pidFile);
        started.add(first);

        client.closeGracefully().block(Duration.ofSeconds(10));
        await("the server process ends with its client").atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(first).isEmpty()
            || !ProcessHandle.of(first).get().isAlive());
        assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("get-sum", Map.of("a", 1, "b", 2), null))
            .block(Duration.ofSeconds(20))).isInstanceOf(RuntimeException.class);

        await("no other server process wrote its pid").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
            .until(() -> pid(pidFile) == first);
    }

    private static long pid(Path pidFile) throws Exception {
        return Long.parseLong(Files.readString(pidFile).trim());
    }
}

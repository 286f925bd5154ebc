package io.agentrelay.executor.consume;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.mcp.McpConfig;

/**
 * The MCP reference server {@code @modelcontextprotocol/server-everything}, installed from npm by
 * {@code npm ci --prefix executor/src/test/mcp} (which {@code .ci/run} does): as a stdio server of an executor's
 * configuration, or started here as a streamable HTTP server on a free loopback port.
 */
final class EverythingServer implements AutoCloseable {

    private static final Path HOME = Path.of("src/test/mcp").toAbsolutePath();
    private static final Path MAIN = HOME.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

    private final Process process;
    private final int port;

    private EverythingServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server over streamable HTTP and waits until it listens. */
    static EverythingServer http() throws IOException {
        return http(freePort());
    }

    /** Starts the server over streamable HTTP on this port (again, after {@link #close()}) and waits until it listens. */
    static EverythingServer http(int port) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("node", main().toString(), "streamableHttp")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PORT", String.valueOf(port));
        EverythingServer server = new EverythingServer(builder.start(), port);
        await().atMost(Duration.ofSeconds(30)).until(server::listens);
        return server;
    }

    /** A port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** The server's process, for a test to signal. */
    ProcessHandle process() {
        return process.toHandle();
    }

    int port() {
        return port;
    }

    /** Its MCP endpoint. */
    String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /**
     * A stdio server entry: {@code node --require record-stdin.cjs index.js stdio}, which writes its pid and what it
     * reads to the given files, when not null.
     */
    static ObjectNode stdio(Path pidFile, Path stdinLog) {
        ObjectNode server = Json.object().put("command", "node");
        server.putArray("args").add("--require").add(HOME.resolve("record-stdin.cjs").toString())
            .add(main().toString()).add("stdio");
        ObjectNode env = server.putObject("env");
        if (pidFile != null) {
            env.put("MCP_PID_FILE", pidFile.toString());
        }
        if (stdinLog != null) {
            env.put("MCP_STDIN_LOG", stdinLog.toString());
        }
        return server;
    }

    /**
     * A stdio server entry whose process first starts a helper that outlives it, as servers started through
     * {@code npx} or a shell can leave theirs: {@code bash -c 'sleep 600 & echo $! > helperPidFile; exec node …'}.
     */
    static ObjectNode stdioWithHelper(Path pidFile, Path helperPidFile) {
        ObjectNode server = stdio(pidFile, null);
        StringBuilder node = new StringBuilder("exec node");
        server.withArray("args").forEach(arg -> node.append(" '").append(arg.asText()).append('\''));
        server.put("command", "bash");
        server.putArray("args").add("-c").add("sleep 600 & echo $! > '" + helperPidFile + "'; " + node);
        return server;
    }

    /**
     * A stdio server entry for {@code changing-tools.mjs}, a server of ours on the reference server's SDK whose tools
     * {@code add-extra} and {@code remove-extra} add and remove its tool {@code extra}, announcing each change.
     */
    static ObjectNode changingTools() {
        main();
        ObjectNode server = Json.object().put("command", "node");
        server.putArray("args").add(HOME.resolve("changing-tools.mjs").toString());
        return server;
    }

    /** The executor's MCP configuration with these servers, written to a file and read as the executor reads it. */
    static McpConfig config(Path directory, Map<String, ObjectNode> servers) throws IOException {
        ObjectNode root = Json.object();
        ObjectNode all = root.putObject("mcpServers");
        servers.forEach(all::set);
        Path file = Files.writeString(directory.resolve("mcp.json"), Json.toText(root));
        return McpConfig.fromEnv(Map.of(McpConfig.ENV, file.toString()));
    }

    private boolean listens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path main() {
        // Skipped where the server is not installed, like the browser tests; .ci/run installs it.
        assumeTrue(Files.exists(MAIN), MAIN + " is missing: run npm ci --prefix executor/src/test/mcp");
        return MAIN;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException stuck) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

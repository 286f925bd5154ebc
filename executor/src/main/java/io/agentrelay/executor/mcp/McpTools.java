package io.agentrelay.executor.mcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.tool.ToolSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;

/**
 * The tools of every MCP server an executor is configured with, named {@code <server>/<tool>}. Servers are connected
 * when it starts, each within the connect timeout; one that cannot be reached then is tried again in the background
 * while the others' tools are served, and its tools refuse workflows with the reason until it is reached.
 *
 * <p>Thread-safe.
 */
public final class McpTools implements ToolSource, AutoCloseable {

    /** How long connecting to a server, and listing its tools, may take. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /**
     * A stdio server's longest message, per byte of output allowed: room for JSON escaping, base64 and the envelope,
     * while a server that sends endless lines cannot fill the executor's heap.
     */
    static final int LINE_BYTES_PER_OUTPUT_BYTE = 4;

    private final Map<String, McpServer> servers = new LinkedHashMap<>();

    private McpTools(McpConfig config, Duration nodeTimeout, int maxOutputBytes) {
        // The MCP default dialect: a schema that names no other is JSON Schema 2020-12.
        SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(new ObjectMapper());
        Duration callTimeout = callTimeout(nodeTimeout);
        config.servers().forEach((name, spec) -> servers.put(name,
            new McpServer(name, spec, callTimeout, CONNECT_TIMEOUT, LINE_BYTES_PER_OUTPUT_BYTE * maxOutputBytes,
                schemas, mapper)));
    }

    /**
     * Connects to the configured servers, starting the stdio ones.
     *
     * @param config         the servers
     * @param nodeTimeout    the executor's node timeout ({@code EXECUTOR_NODE_TIMEOUT_MS}), which bounds every call
     * @param maxOutputBytes the largest node output ({@code EXECUTOR_MAX_OUTPUT_BYTES}), which bounds the longest
     *                       message a stdio server may send
     * @return the servers' tools
     */
    public static McpTools start(McpConfig config, Duration nodeTimeout, int maxOutputBytes) {
        McpServer.checkSdk();
        McpTools tools = new McpTools(config, nodeTimeout, maxOutputBytes);
        try {
            // In parallel, each on its server's thread: a server that cannot be reached must not hold up the others.
            joinAll(tools.servers.values().stream().map(McpServer::start).toList());
        } catch (RuntimeException e) {
            tools.close();
            throw e;
        }
        return tools;
    }

    /**
     * How long one call may take: a tenth (at most 1 s) less than the node timeout, so that a server that does not
     * answer fails the call itself, which its circuit breaker counts, rather than the node's timeout, which it cannot
     * tell from a cancel.
     */
    static Duration callTimeout(Duration nodeTimeout) {
        Duration margin = nodeTimeout.dividedBy(10);
        return nodeTimeout.minus(margin.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : margin);
    }

    @Override
    public Optional<Tool> find(String name) {
        int slash = name.indexOf('/');
        McpServer server = slash < 0 ? null : servers.get(name.substring(0, slash));
        if (server == null) {
            return Optional.empty();
        }
        McpTool tool = server.tools().get(name.substring(slash + 1));
        if (tool != null) {
            return Optional.of(tool);
        }
        return server.listed() ? Optional.empty() : Optional.of(new Unavailable(name, server));
    }

    @Override
    public List<Tool> tools() {
        List<Tool> all = new ArrayList<>();
        servers.values().forEach(server -> all.addAll(server.tools().values()));
        return all;
    }

    @Override
    public void bindMetrics(MeterRegistry registry) {
        servers.values().forEach(server -> server.bindMetrics(registry));
    }

    /**
     * Disconnects from every server, stopping the stdio ones and the processes they started, all at once: each
     * server's processes get SIGTERM and, when they have not exited within a few seconds, SIGKILL.
     */
    @Override
    public void close() {
        joinAll(servers.values().stream().map(server -> CompletableFuture.runAsync(server::close, task -> {
            Thread closing = new Thread(task, "mcp-close-" + server.name());
            closing.start();
        })).toList());
    }

    /** Waits for every one, even after one failed, so that none is left running unseen; then throws the first. */
    private static void joinAll(List<? extends Future<?>> all) {
        IllegalStateException failure = null;
        for (Future<?> done : all) {
            try {
                done.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = new IllegalStateException("an MCP server failed unexpectedly", e.getCause());
                } else {
                    failure.addSuppressed(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A tool of a server whose tools are not known yet, because it could not be reached: refuses every workflow. */
    private record Unavailable(String name, McpServer server) implements Tool {

        @Override
        public void validate(JsonNode params, ToolContext context) throws ToolException {
            throw refusal();
        }

        @Override
        public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
            throw refusal();
        }

        private ToolException refusal() {
            return new ToolException("MCP server '" + server.name() + "' is unavailable: "
                + server.problem().orElse("its tools are not listed yet"));
        }
    }
}

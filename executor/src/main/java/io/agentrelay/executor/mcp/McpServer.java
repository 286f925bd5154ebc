package io.agentrelay.executor.mcp;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.log.LogText;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.workflow.SizeLimits;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The executor's client of one MCP server: connects (starting the process of a stdio server), lists its tools again
 * whenever the server says they changed, and calls them. A stdio server that exits is started again with growing
 * back-off, and a call waits a little for that; a call to an HTTP server that is down fails at once, and one whose
 * calls keep failing trips the server's circuit breaker, so that its nodes fail fast instead of waiting out their
 * timeouts.
 *
 * <p>Thread-safe: nodes of many workflows call one server at once.
 */
final class McpServer implements AutoCloseable {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long a call waits for a stdio server that is being started again. */
    static final Duration RESTART_WAIT = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(McpServer.class);
    private static final TypeRef<Map<String, Object>> ARGUMENTS = new TypeRef<>() {
    };

    private final String name;
    private final McpServerSpec spec;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final int maxLineBytes;
    private final ScheduledExecutorService reconnects;
    private final SchemaRegistry schemas;
    private final McpJsonMapper mapper;
    private final CircuitBreaker breaker;
    private final Map<String, ToolContext> progress = new ConcurrentHashMap<>();
    private volatile Connection connection;
    private volatile CompletableFuture<Connection> ready = new CompletableFuture<>();
    private volatile String problem = "not connected yet";
    private volatile Map<String, McpTool> tools = Map.of();
    private volatile boolean listed;
    private volatile boolean closed;
    private volatile MeterRegistry registry;
    private Duration backoff = FIRST_BACKOFF;

    McpServer(String name, McpServerSpec spec, Duration requestTimeout, Duration connectTimeout, int maxLineBytes,
              ScheduledExecutorService reconnects, SchemaRegistry schemas, McpJsonMapper mapper) {
        this.name = name;
        this.spec = spec;
        this.requestTimeout = requestTimeout;
        this.connectTimeout = connectTimeout;
        this.maxLineBytes = maxLineBytes;
        this.reconnects = reconnects;
        this.schemas = schemas;
        this.mapper = mapper;
        this.breaker = CircuitBreaker.of("mcp-" + name, CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindowSize(10)
            .minimumNumberOfCalls(4)
            .waitDurationInOpenState(Duration.ofSeconds(10))
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
    }

    String name() {
        return name;
    }

    /** The server's tools by their name on the server; empty until first listed. */
    Map<String, McpTool> tools() {
        return tools;
    }

    /** Whether its tools were listed at least once, so that a name it lacks is unknown rather than unavailable. */
    boolean listed() {
        return listed;
    }

    /** Why it cannot be called now, if so. */
    Optional<String> problem() {
        return connection == null ? Optional.of(problem) : Optional.empty();
    }

    /** Connects now, waiting at most the connect timeout; on failure, tries again later in the background. */
    void connect() {
        if (closed) {
            return;
        }
        McpClientTransportPair pair = transport();
        RequestTrackingTransport transport = new RequestTrackingTransport(pair.transport());
        McpAsyncClient client = McpClient.async(transport)
            .requestTimeout(requestTimeout)
            .initializationTimeout(connectTimeout)
            .clientInfo(McpSchema.Implementation.builder("agent-relay-executor", "0.1.0").build())
            .progressConsumer(notification -> Mono.fromRunnable(() -> onProgress(notification)))
            .toolsChangeConsumer(changed -> Mono.fromRunnable(() -> setTools(changed)))
            .build();
        try {
            client.initialize().block(connectTimeout);
            McpSchema.ListToolsResult listing = client.listTools().block(connectTimeout);
            setTools(listing == null ? List.of() : listing.tools());
        } catch (RuntimeException e) {
            client.close();
            synchronized (this) {
                problem = McpResults.cut(SizeLimits.rootMessage(e));
                LOG.warn("MCP server {} cannot be reached: {}", name, LogText.escape(problem));
                retryLater();
            }
            return;
        }
        Connection connected = new Connection(client, transport);
        synchronized (this) {
            if (closed) {
                client.close();
                return;
            }
            connection = connected;
            backoff = FIRST_BACKOFF;
            ready.complete(connected);
        }
        LOG.info("MCP server {} connected with tools {}", name, tools.keySet());
        if (pair.process() != null) {
            Thread watcher = new Thread(() -> {
                pair.process().awaitForExit();
                lost(connected, "exited");
            }, "mcp-" + name + "-exit");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /**
     * Calls a tool, reporting the server's progress notifications as the node's progress.
     *
     * @throws ToolException        when the server is unavailable, fails the call, or answers with {@code isError}
     * @throws InterruptedException when the node is cancelled or timed out: the server is sent
     *                              {@code notifications/cancelled}
     */
    JsonNode call(McpTool tool, JsonNode params, ToolContext context) throws ToolException, InterruptedException {
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            JsonNode output = callConnected(tool, params, context);
            outcome = "completed";
            return output;
        } catch (InterruptedException e) {
            outcome = "cancelled";
            throw e;
        } finally {
            MeterRegistry meters = registry;
            if (meters != null) {
                Timer.builder("executor.mcp.calls").description("MCP tool calls, by server, tool and outcome")
                    .tag("server", name).tag("tool", tool.toolName()).tag("outcome", outcome)
                    .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
        }
    }

    private JsonNode callConnected(McpTool tool, JsonNode params, ToolContext context)
        throws ToolException, InterruptedException {
        Map<String, Object> arguments;
        try {
            arguments = mapper.convertValue(params, ARGUMENTS);
        } catch (RuntimeException e) {
            throw new ToolException("its params must be a JSON object: " + McpResults.cut(SizeLimits.rootMessage(e)));
        }
        Connection current = awaitConnection();
        // Taken last: a permit taken before something that throws would leak and keep a half-open breaker half-open.
        if (!breaker.tryAcquirePermission()) {
            throw unavailable("its circuit breaker is open after repeated failures");
        }
        String token = UUID.randomUUID().toString();
        long started = System.nanoTime();
        CompletableFuture<McpSchema.CallToolResult> call;
        progress.put(token, context);
        try {
            call = current.client.callTool(new McpSchema.CallToolRequest(
                tool.toolName(), arguments, Map.of("progressToken", token))).toFuture();
        } catch (RuntimeException e) {
            progress.remove(token);
            breaker.releasePermission();
            throw e;
        }
        current.calls.add(call);
        try {
            McpSchema.CallToolResult result = call.get();
            breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return McpResults.output(result);
        } catch (InterruptedException e) {
            current.transport.cancel(token, "the node was cancelled or timed out");
            call.cancel(true);
            breaker.releasePermission();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof McpError error) {
                // The server answered: it is up, the call itself was refused.
                breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                throw new ToolException(McpResults.cut(String.valueOf(error.getMessage())));
            }
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, cause);
            if (cause instanceof ServerLost lostDuringCall) {
                throw new ToolException("MCP server '" + name + "' " + lostDuringCall.getMessage()
                    + " during the call");
            }
            if (spec instanceof McpServerSpec.Http && !(cause instanceof TimeoutException)) {
                // Connect again in the background; a stdio server's exit is seen by its watcher instead.
                lost(current, McpResults.cut(SizeLimits.rootMessage(cause)));
            }
            throw unavailable(McpResults.cut(SizeLimits.rootMessage(cause)));
        } finally {
            progress.remove(token);
            current.transport.forget(token);
            current.calls.remove(call);
        }
    }

    /** Reports whether the server is connected, as {@code executor_mcp_server_up{server}}. */
    void bindMetrics(MeterRegistry meters) {
        registry = meters;
        Gauge.builder("executor.mcp.server.up", this, server -> server.connection == null ? 0 : 1)
            .description("whether the executor is connected to the MCP server").tag("server", name).register(meters);
    }

    @Override
    public void close() {
        Connection current;
        synchronized (this) {
            closed = true;
            current = connection;
            connection = null;
            problem = "the executor is stopping";
            ready.completeExceptionally(new ServerLost(problem));
        }
        if (current != null) {
            current.fail(new ServerLost("closed"));
            try {
                current.client.closeGracefully().block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("MCP server {} did not close cleanly: {}", name, e.toString());
            }
        }
    }

    private Connection awaitConnection() throws ToolException, InterruptedException {
        Connection current = connection;
        if (current != null) {
            return current;
        }
        if (spec instanceof McpServerSpec.Http) {
            throw unavailable(problem);
        }
        try {
            return ready.get(RESTART_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(problem);
        }
    }

    /** Forgets a connection that failed, fails its calls and connects again later. */
    private void lost(Connection failed, String reason) {
        synchronized (this) {
            if (connection != failed) {
                return;
            }
            connection = null;
            problem = reason;
            ready = new CompletableFuture<>();
            LOG.warn("MCP server {} lost: {}", name, LogText.escape(reason));
            retryLater();
        }
        failed.fail(new ServerLost(reason));
        failed.client.close();
    }

    /** Called holding the lock. */
    private void retryLater() {
        if (closed) {
            return;
        }
        Duration delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        reconnects.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void setTools(List<McpSchema.Tool> listed) {
        Map<String, McpTool> byName = new LinkedHashMap<>();
        for (McpSchema.Tool tool : listed) {
            JsonNode inputSchema = Json.tree(tool.inputSchema() == null ? Map.of("type", "object") : tool.inputSchema());
            Schema schema;
            try {
                schema = schemas.getSchema(inputSchema);
            } catch (RuntimeException e) {
                LOG.warn("MCP server {}: tool {} is left out, its input schema cannot be read: {}", name,
                    LogText.escape(tool.name()), e.toString());
                continue;
            }
            boolean idempotent = tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().idempotentHint());
            byName.put(tool.name(), new McpTool(this, tool.name(),
                tool.description() == null ? "" : tool.description(), inputSchema, schema, idempotent));
        }
        tools = Map.copyOf(byName);
        this.listed = true;
    }

    private void onProgress(McpSchema.ProgressNotification notification) {
        ToolContext context = progress.get(String.valueOf(notification.progressToken()));
        if (context != null && notification.progress() != null) {
            context.progress(notification.progress(), notification.total(), notification.message());
        }
    }

    private McpClientTransportPair transport() {
        if (spec instanceof McpServerSpec.Stdio stdio) {
            StdioClientTransport process = new OwnEnvironmentTransport(ServerParameters.builder(stdio.command())
                .args(stdio.args()).env(stdio.env()).build(), mapper, maxLineBytes);
            process.setStdErrorHandler(line -> LOG.debug("MCP server {}: {}", name, LogText.escape(line)));
            return new McpClientTransportPair(process, process);
        }
        McpServerSpec.Http http = (McpServerSpec.Http) spec;
        URI url = http.url();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
            .builder(url.getScheme() + "://" + url.getRawAuthority())
            .endpoint(url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
            .jsonMapper(mapper)
            .connectTimeout(connectTimeout)
            .addHttpRequestCustomizer((request, method, uri, body, context) -> http.headers().forEach(request::header))
            .build();
        return new McpClientTransportPair(transport, null);
    }

    private ToolException unavailable(String reason) {
        return new ToolException("MCP server '" + name + "' is unavailable: " + reason);
    }

    /** The transport, and the same as a process when the server is one the executor started. */
    private record McpClientTransportPair(io.modelcontextprotocol.spec.McpClientTransport transport,
                                          StdioClientTransport process) {
    }

    /** One session with the server, and the calls under way in it. */
    private static final class Connection {
        final McpAsyncClient client;
        final RequestTrackingTransport transport;
        final Set<CompletableFuture<McpSchema.CallToolResult>> calls = ConcurrentHashMap.newKeySet();

        Connection(McpAsyncClient client, RequestTrackingTransport transport) {
            this.client = client;
            this.transport = transport;
        }

        void fail(ServerLost reason) {
            calls.forEach(call -> call.completeExceptionally(reason));
        }
    }

    /**
     * Starts the server with only the SDK's allow-list of the executor's environment ({@code HOME}, {@code PATH},
     * {@code USER} and the like) and the {@code env} of its configuration: the SDK's own transport passes the
     * executor's whole environment, secrets included, to a process that anyone with a workflow can ask for it.
     */
    private static final class OwnEnvironmentTransport extends StdioClientTransport {
        OwnEnvironmentTransport(ServerParameters parameters, McpJsonMapper mapper, int maxLineBytes) {
            super(parameters, mapper, maxLineBytes);
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            // The SDK adds the allow-list and the configured env to this after it returns.
            ProcessBuilder builder = super.getProcessBuilder();
            builder.environment().clear();
            return builder;
        }
    }

    /** The server went away while calls were under way. */
    private static final class ServerLost extends RuntimeException {
        ServerLost(String reason) {
            super(reason, null, false, false);
        }
    }
}

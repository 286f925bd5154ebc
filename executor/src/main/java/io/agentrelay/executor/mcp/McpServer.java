package io.agentrelay.executor.mcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

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
    /**
     * How often a connected server is pinged: a server that stopped answering (a stdio server that printed something
     * other than JSON-RPC, one stopped or deadlocked, an HTTP server that accepts and never answers) holds its calls'
     * tool threads for this plus {@link #PING_TIMEOUT} rather than for a whole node timeout, for a ping a minute per
     * server.
     */
    static final Duration PING_INTERVAL = Duration.ofSeconds(10);
    /** A live server answers a ping in milliseconds even while its tools are busy; this leaves room for a slow host. */
    static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    /** How long an open circuit breaker refuses calls before it lets one through to try the server again. */
    static final Duration BREAKER_OPEN = Duration.ofSeconds(10);
    /** How long a server that is stopped gets to exit after its stdin closes and SIGTERM, before it is killed. */
    static final Duration STOP_WAIT = Duration.ofSeconds(3);
    private static final Logger LOG = LoggerFactory.getLogger(McpServer.class);
    private static final TypeRef<Map<String, Object>> ARGUMENTS = new TypeRef<>() {
    };

    private final String name;
    private final McpServerSpec spec;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final int maxLineBytes;
    /** Connects, pings and stops the server, one thing at a time: never two processes of one server at once. */
    private final ScheduledExecutorService worker;
    private final SchemaRegistry schemas;
    private final McpJsonMapper mapper;
    private final CircuitBreaker breaker;
    private final Map<String, ToolContext> progress = new ConcurrentHashMap<>();
    /** Connection and readiness together, replaced whole: a call sees one connection or the next, never half. */
    private final AtomicReference<State> state = new AtomicReference<>(State.down("not connected yet"));
    private volatile Map<String, McpTool> tools = Map.of();
    private volatile boolean listed;
    private volatile MeterRegistry registry;
    /** Only the server's thread reads and changes it. */
    private Duration backoff = FIRST_BACKOFF;

    McpServer(String name, McpServerSpec spec, Duration requestTimeout, Duration connectTimeout, int maxLineBytes,
              SchemaRegistry schemas, McpJsonMapper mapper) {
        this.name = name;
        this.spec = spec;
        this.requestTimeout = requestTimeout;
        this.connectTimeout = connectTimeout;
        this.maxLineBytes = maxLineBytes;
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread daemon = new Thread(task, "mcp-" + name);
            daemon.setDaemon(true);
            return daemon;
        });
        // Once closed, only what is due now still runs (stopping a lost process), not reconnects or pings.
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = thread;
        this.schemas = schemas;
        this.mapper = mapper;
        this.breaker = CircuitBreaker.of("mcp-" + name, CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindowSize(10)
            .minimumNumberOfCalls(4)
            .waitDurationInOpenState(BREAKER_OPEN)
            // Half-open without waiting for a call, so that executor_mcp_circuit_open tells when calls may go again.
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
        worker.scheduleWithFixedDelay(this::checkAlive, PING_INTERVAL.toMillis(), PING_INTERVAL.toMillis(),
            TimeUnit.MILLISECONDS);
    }

    /**
     * Fails at once, with what to do, when the MCP SDK on the class path lacks what the executor reads of it, rather
     * than at the first stdio server.
     */
    static void checkSdk() {
        try {
            Class.forName(OwnEnvironmentTransport.class.getName(), true, McpServer.class.getClassLoader());
        } catch (ExceptionInInitializerError e) {
            throw (IllegalStateException) e.getCause();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
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
        State current = state.get();
        return current.connection() == null ? Optional.of(current.problem()) : Optional.empty();
    }

    /**
     * Connects on the server's own thread, within the connect timeout; on failure, tries again later in the background.
     *
     * @return done when connected or when the first attempt failed
     */
    Future<?> start() {
        return worker.submit(this::connect);
    }

    private void connect() {
        if (state.get() == State.CLOSED) {
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
            stop(new Connection(client, transport, pair.process()));
            String problem = McpResults.cut(SizeLimits.rootMessage(e));
            State down = state.get();
            if (down != State.CLOSED && state.compareAndSet(down, new State(null, problem, down.next()))) {
                LOG.warn("MCP server {} cannot be reached: {}", name, LogText.escape(problem));
                retryLater();
            }
            return;
        }
        Connection connected = new Connection(client, transport, pair.process());
        // Only this thread connects, and only it leaves a state without a connection, so this is the one to leave.
        State down = state.get();
        if (down == State.CLOSED || !state.compareAndSet(down, new State(connected, null, down.next()))) {
            stop(connected);
            return;
        }
        backoff = FIRST_BACKOFF;
        down.next().complete(connected);
        LOG.info("MCP server {} connected with tools {}", name, tools.keySet());
        if (connected.process != null) {
            connected.process.onExit().thenRun(() -> lost(connected, "exited"));
        }
    }

    /** Declares the server lost when it does not answer a ping in time: a wedged server must not hold calls. */
    private void checkAlive() {
        try {
            Connection current = state.get().connection();
            if (current == null) {
                return;
            }
            try {
                current.client.ping().block(PING_TIMEOUT);
            } catch (McpError answered) {
                // It answered, if only to refuse: it is alive.
            } catch (RuntimeException e) {
                lost(current, "stopped answering pings (none answered within " + PING_TIMEOUT.toSeconds() + " s)");
            }
        } catch (Throwable unexpected) {
            // Thrown out of a task scheduled at a fixed delay, it would end every later ping without a word.
            LOG.error("MCP server {}: checking that it is alive failed", name, unexpected);
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
        if (!breaker.tryAcquirePermission()) {
            throw unavailable("its circuit breaker is open after repeated failures or timeouts; calls are refused for "
                + BREAKER_OPEN.toSeconds() + " s, then one is tried");
        }
        // Every way out settles the permit: the server answered, the server failed (down, lost, too slow), or
        // neither (a cancel), which a half-open breaker must get back to try another call.
        long started = System.nanoTime();
        boolean answered = false;
        Throwable serverFailure = null;
        try {
            Connection current;
            try {
                current = awaitConnection();
            } catch (ToolException down) {
                serverFailure = down;
                throw down;
            }
            // The wait for a restart is the server's downtime, not the call's duration; it counts against the timeout.
            long connected = System.nanoTime();
            long timeLeft = requestTimeout.toNanos() - (connected - started);
            started = connected;
            String token = UUID.randomUUID().toString();
            progress.put(token, context);
            CompletableFuture<McpSchema.CallToolResult> call = null;
            try {
                call = current.client.callTool(new McpSchema.CallToolRequest(
                    tool.toolName(), arguments, Map.of("progressToken", token))).toFuture();
                current.calls.add(call);
                McpSchema.CallToolResult result = call.get(Math.max(timeLeft, 0), TimeUnit.NANOSECONDS);
                answered = true;
                return McpResults.output(result);
            } catch (TimeoutException e) {
                serverFailure = e;
                call.cancel(true);
                throw failed(current, token, e);
            } catch (InterruptedException e) {
                current.transport.cancel(token, "the node was cancelled or timed out");
                call.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof McpError error) {
                    // The server answered: it is up, the call itself was refused.
                    answered = true;
                    throw new ToolException(McpResults.cut(String.valueOf(error.getMessage())));
                }
                serverFailure = cause;
                throw failed(current, token, cause);
            } finally {
                progress.remove(token);
                current.transport.forget(token);
                if (call != null) {
                    current.calls.remove(call);
                }
            }
        } finally {
            long elapsed = System.nanoTime() - started;
            if (answered) {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            } else if (serverFailure != null) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, serverFailure);
            } else {
                breaker.releasePermission();
            }
        }
    }

    /** The node's failure for a call the server did not answer. */
    private ToolException failed(Connection current, String token, Throwable cause) {
        if (current.lostBecause != null) {
            // Also for a call that took the connection just as it was lost: its session is ended, not restarted.
            cause = current.lostBecause;
        }
        if (cause instanceof ServerLost lostDuringCall) {
            return new ToolException("MCP server '" + name + "' " + lostDuringCall.getMessage() + " during the call");
        }
        if (cause instanceof TimeoutException) {
            current.transport.cancel(token, "no answer within " + requestTimeout.toMillis() + " ms");
            return new ToolException("MCP server '" + name + "' did not answer the call within "
                + requestTimeout.toMillis() + " ms");
        }
        if (spec instanceof McpServerSpec.Http) {
            // Connect again in the background; a stdio server's exit is seen by its watcher instead.
            lost(current, McpResults.cut(SizeLimits.rootMessage(cause)));
        }
        return unavailable(McpResults.cut(SizeLimits.rootMessage(cause)));
    }

    /** Reports whether the server is connected, as {@code executor_mcp_server_up{server}}. */
    void bindMetrics(MeterRegistry meters) {
        registry = meters;
        Gauge.builder("executor.mcp.server.up", this, server -> server.state.get().connection() == null ? 0 : 1)
            .description("whether the executor is connected to the MCP server").tag("server", name).register(meters);
        Gauge.builder("executor.mcp.circuit.open", breaker,
                circuit -> circuit.getState() == CircuitBreaker.State.OPEN ? 1 : 0)
            .description("whether the MCP server's circuit breaker refuses its calls").tag("server", name)
            .register(meters);
    }

    @Override
    public void close() {
        State last = state.getAndSet(State.CLOSED);
        last.next().completeExceptionally(new ServerLost(State.CLOSED.problem()));
        worker.shutdown();
        if (last.connection() != null) {
            last.connection().fail(new ServerLost("closed"));
            stop(last.connection());
        }
        try {
            // A lost process being stopped, or one being connected, which stops itself on seeing it is closed.
            if (!worker.awaitTermination(STOP_WAIT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("MCP server {}: its thread did not end; interrupting it", name);
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection awaitConnection() throws ToolException, InterruptedException {
        State current = state.get();
        if (current.connection() != null) {
            return current.connection();
        }
        if (spec instanceof McpServerSpec.Http) {
            throw unavailable(current.problem());
        }
        try {
            return current.next().get(RESTART_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // The problem of the state waited on: the current one may be a connection made just now, with none.
            State now = state.get();
            throw unavailable(now.problem() != null ? now.problem() : current.problem());
        }
    }

    /** Forgets a connection that failed, fails its calls, and stops it and connects again on the server's thread. */
    private void lost(Connection failed, String reason) {
        State before = state.get();
        if (before.connection() != failed || !state.compareAndSet(before, State.down(reason))) {
            return;
        }
        LOG.warn("MCP server {} lost: {}", name, LogText.escape(reason));
        failed.fail(new ServerLost(reason));
        try {
            // The old process is stopped before a reconnect can start another.
            worker.execute(() -> {
                stop(failed);
                retryLater();
            });
        } catch (RejectedExecutionException closing) {
            stop(failed);
        }
    }

    /**
     * Ends a session, and for a stdio server its process and every process that one started: a wrapper such as
     * {@code npx} or a shell may exit on SIGTERM and leave the server it started running. Each gets SIGTERM at once,
     * and SIGKILL when it has not exited within {@link #STOP_WAIT} (a stopped or wedged process ignores SIGTERM).
     */
    private void stop(Connection connection) {
        // Taken first: once the process is gone, the processes it started are no longer its descendants.
        List<ProcessHandle> family = connection.process == null ? List.of()
            : Stream.concat(Stream.of(connection.process.toHandle()), connection.process.descendants()).toList();
        // Never cancelled: the SDK shuts down its threads only once its process has exited, which the kill below
        // makes sure of, and a cancelled close would leave them running for good.
        CompletableFuture<Void> closed = connection.client.closeGracefully().toFuture();
        List<ProcessHandle> left = family.stream().filter(ProcessHandle::isAlive).toList();
        try {
            left.forEach(ProcessHandle::destroy);
            CompletableFuture.allOf(left.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Killed below.
        } finally {
            List<ProcessHandle> stuck = family.stream().filter(ProcessHandle::isAlive).toList();
            if (!stuck.isEmpty()) {
                LOG.warn("MCP server {}: processes {} did not exit within {} s of SIGTERM; killing them", name,
                    stuck.stream().map(ProcessHandle::pid).toList(), STOP_WAIT.toSeconds());
                stuck.forEach(ProcessHandle::destroyForcibly);
            }
        }
        try {
            closed.get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warn("MCP server {}: its session did not end within {} s of its processes", name,
                STOP_WAIT.toSeconds());
        } catch (ExecutionException e) {
            LOG.warn("MCP server {} did not close cleanly: {}", name, LogText.escape(SizeLimits.rootMessage(e)));
        }
    }

    /** Called on the server's thread. */
    private void retryLater() {
        if (state.get() == State.CLOSED) {
            return;
        }
        Duration delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        worker.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
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
            boolean idempotent = spec.idempotentTools().contains(tool.name())
                || tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().idempotentHint());
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
            OwnEnvironmentTransport process = new OwnEnvironmentTransport(ServerParameters.builder(stdio.command())
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
                                          OwnEnvironmentTransport stdio) {
        /** The process, once the client's first request started it; null for HTTP or when it could not start. */
        Process process() {
            return stdio == null ? null : stdio.process();
        }
    }

    /** One session with the server, its process if it is a stdio server, and the calls under way in it. */
    private static final class Connection {
        final McpAsyncClient client;
        final RequestTrackingTransport transport;
        final Process process;
        final Set<CompletableFuture<McpSchema.CallToolResult>> calls = ConcurrentHashMap.newKeySet();
        volatile ServerLost lostBecause;

        Connection(McpAsyncClient client, RequestTrackingTransport transport, Process process) {
            this.client = client;
            this.transport = transport;
            this.process = process;
        }

        /** Fails its calls, and those that come too late to be among them when they end. */
        void fail(ServerLost reason) {
            lostBecause = reason;
            transport.end();
            calls.forEach(call -> call.completeExceptionally(reason));
        }
    }

    /**
     * Starts the server with only the SDK's allow-list of the executor's environment ({@code HOME}, {@code PATH},
     * {@code USER} and the like) and the {@code env} of its configuration: the SDK's own transport passes the
     * executor's whole environment, secrets included, to a process that anyone with a workflow can ask for it.
     */
    private static final class OwnEnvironmentTransport extends StdioClientTransport {
        /** The SDK keeps the process to itself, and ends it only with SIGTERM: a wedged one must be killed. */
        private static final VarHandle PROCESS;

        static {
            try {
                PROCESS = MethodHandles.privateLookupIn(StdioClientTransport.class, MethodHandles.lookup())
                    .findVarHandle(StdioClientTransport.class, "process", Process.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("this mcp-core is not the one the executor was built for: it reads "
                    + "the private field StdioClientTransport.process (mcp-core 2.1.0) to stop a wedged server, and "
                    + "cannot: " + e, e);
            }
        }

        OwnEnvironmentTransport(ServerParameters parameters, McpJsonMapper mapper, int maxLineBytes) {
            super(parameters, mapper, maxLineBytes);
        }

        /** The process the SDK started, or null before it did. */
        Process process() {
            return (Process) PROCESS.getVolatile(this);
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            // The SDK adds the allow-list and the configured env to this after it returns.
            ProcessBuilder builder = super.getProcessBuilder();
            builder.environment().clear();
            return builder;
        }
    }

    /**
     * Whether a connection is up, and if not, why and the future of the next one.
     *
     * @param connection the connection, or null while there is none
     * @param problem    why there is none, or null
     * @param next       completed with the next connection: calls to a stdio server being restarted wait for it
     */
    private record State(Connection connection, String problem, CompletableFuture<Connection> next) {
        static final State CLOSED = down("the executor is stopping");

        static State down(String problem) {
            return new State(null, problem, new CompletableFuture<>());
        }
    }

    /** The server went away while calls were under way. */
    private static final class ServerLost extends RuntimeException {
        ServerLost(String reason) {
            super(reason, null, false, false);
        }
    }
}

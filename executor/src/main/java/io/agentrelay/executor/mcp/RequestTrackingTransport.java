package io.agentrelay.executor.mcp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

/**
 * A transport that remembers the JSON-RPC id of each {@code tools/call} by its progress token, so that a call can be
 * cancelled with {@code notifications/cancelled}, which names the request by id: the SDK's client keeps the ids to
 * itself and sends no cancellation of its own.
 *
 * <p>It carries one session: once ended, it neither connects again nor sends. The SDK's client starts a new session
 * on the same transport when used after it was closed, which for a stdio server is a new process that nobody would
 * stop; the executor starts new sessions itself, on a new transport.
 */
final class RequestTrackingTransport implements McpClientTransport {

    /** The SDK has no constant for it: it never sends one. */
    static final String CANCELLED = "notifications/cancelled";

    private final McpClientTransport delegate;
    private final Map<String, Object> requestIds = new ConcurrentHashMap<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile boolean ended;

    RequestTrackingTransport(McpClientTransport delegate) {
        this.delegate = delegate;
    }

    /**
     * Tells the server to stop the call of this progress token, if it was sent; forgets the token either way.
     *
     * @param progressToken the call's token
     * @param reason        why, for the server's log
     */
    void cancel(String progressToken, String reason) {
        Object requestId = requestIds.remove(progressToken);
        // An ended session sends nothing, not even this.
        if (requestId != null && !ended) {
            delegate.sendMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION,
                CANCELLED, Map.of("requestId", requestId, "reason", reason)))
                .onErrorComplete().subscribe();
        }
    }

    /** Ends the session: nothing is sent any more, and it is never connected again. */
    void end() {
        ended = true;
    }

    /** Forgets a call that ended. */
    void forget(String progressToken) {
        requestIds.remove(progressToken);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (ended) {
            return Mono.error(new IllegalStateException("the session with the MCP server ended"));
        }
        if (message instanceof McpSchema.JSONRPCRequest request
            && McpSchema.METHOD_TOOLS_CALL.equals(request.method())
            && request.params() instanceof McpSchema.CallToolRequest call
            && call.meta() != null && call.meta().get("progressToken") instanceof String token) {
            requestIds.put(token, request.id());
        }
        return delegate.sendMessage(message);
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        if (ended || !connected.compareAndSet(false, true)) {
            ended = true;
            return Mono.error(new IllegalStateException("the session with the MCP server ended; it is not started again"));
        }
        return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        ended = true;
        return delegate.closeGracefully();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }
}

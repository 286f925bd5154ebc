package io.agentrelay.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection to a relay's canonical endpoint ({@code /ws}). Requests return futures of their response;
 * events and every other frame go to listeners. It does not reconnect: {@link RelayClient} builds reconnects and
 * resumes on top of it.
 *
 * <pre>{@code
 * try (RelayConnection client = RelayConnection.connect(URI.create("ws://127.0.0.1:8080/ws"), Duration.ofSeconds(5))) {
 *     client.addListener(frame -> System.out.println(frame.event() + " " + frame.data()));
 *     client.subscribe("workflow:wf-1").get(5, TimeUnit.SECONDS);
 *     client.request("execute_workflow", workflow).get(5, TimeUnit.SECONDS);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Listeners run on the WebSocket's receiving thread, one frame at a time, in arrival order; they must
 * not block.
 */
public final class RelayConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
    private static final ObjectReader ENVELOPE = Json.readerFor(Envelope.class);

    /** The code a client reports when the connection ended without a close frame (RFC 6455, 7.4.1). */
    public static final int ABNORMAL_CLOSURE = 1006;

    private final WebSocket socket;
    private final Receiver receiver;
    private final Duration requestTimeout;
    private CompletableFuture<WebSocket> lastSend = CompletableFuture.completedFuture(null);

    private RelayConnection(WebSocket socket, Receiver receiver, Duration requestTimeout) {
        this.socket = socket;
        this.receiver = receiver;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Connects and waits for the relay's {@code session.created} welcome.
     *
     * @param uri     the endpoint, such as {@code ws://127.0.0.1:8080/ws}
     * @param timeout how long connecting may take; also each request's timeout
     * @return the connected client
     * @throws IOException when the relay cannot be reached or does not welcome the client in time
     */
    public static RelayConnection connect(URI uri, Duration timeout) throws IOException {
        Receiver receiver = new Receiver();
        CompletableFuture<WebSocket> opening = HttpClient.newBuilder().connectTimeout(timeout).build()
            .newWebSocketBuilder()
            .connectTimeout(timeout)
            .buildAsync(uri, receiver);
        try {
            WebSocket socket = opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            receiver.welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new RelayConnection(socket, receiver, timeout);
        } catch (ExecutionException e) {
            abort(opening);
            throw new IOException("cannot connect to " + uri + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            abort(opening);
            throw new IOException("no welcome from " + uri + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            abort(opening);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + uri, e);
        }
    }

    /** A connection given up on must not stay open on the relay, whenever its socket turns up. */
    private static void abort(CompletableFuture<WebSocket> opening) {
        opening.thenAccept(WebSocket::abort);
    }

    /**
     * The connection's id.
     *
     * @return the id from the relay's welcome; replies to this connection travel on {@code conn:<id>}
     */
    public String connectionId() {
        return receiver.welcome.join().data().path("connection_id").asText();
    }

    /**
     * Receives every frame the relay sends, responses and errors included, from now on.
     *
     * @param listener called once per frame, in order
     */
    public void addListener(Consumer<Envelope> listener) {
        receiver.listeners.add(listener);
    }

    /**
     * Sends a request and returns its response.
     *
     * @param name the request name, such as {@code execute_workflow}
     * @param data its fields
     * @return the response frame; fails with {@link RelayErrorException} on an error frame, or with a
     *     {@link TimeoutException} when no answer comes within the timeout
     */
    public CompletableFuture<Envelope> request(String name, JsonNode data) {
        return request(UUID.randomUUID().toString(), name, data);
    }

    /**
     * Sends a request with an id of the caller's choosing. Sending a command again with the same id (a retry after a
     * timeout or a reconnect) makes it the same command: with an authenticated token the relay gives it the same
     * command id and executors carry it out once.
     *
     * @param id   the request id, unique among this client's requests
     * @param name the request name, such as {@code execute_workflow}
     * @param data its fields
     * @return the response frame, as {@link #request(String, JsonNode)}
     */
    public CompletableFuture<Envelope> request(String id, String name, JsonNode data) {
        CompletableFuture<Envelope> response = new CompletableFuture<>();
        receiver.pending.put(id, response);
        response.whenComplete((frame, failure) -> receiver.pending.remove(id));
        sendText(Json.toText(Envelope.request(id, name, data)))
            .whenComplete((ignored, failure) -> {
                if (failure != null) {
                    response.completeExceptionally(failure);
                }
            });
        return response.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Subscribes to a channel.
     *
     * @param channel {@code <namespace>:<id>} or {@code global}
     * @return the response; events of the channel published after it completes are delivered
     */
    public CompletableFuture<Envelope> subscribe(String channel) {
        return request("subscribe", Json.object().put("channel", channel));
    }

    /**
     * Sends a raw text frame, for protocols' corners that {@link #request} does not cover.
     *
     * @param text the frame
     * @return completes when the frame was handed to the network
     */
    public CompletableFuture<WebSocket> sendText(String text) {
        synchronized (this) {
            // The JDK WebSocket allows one outstanding send at a time; chaining keeps frames in call order.
            lastSend = lastSend.handle((ignored, failure) -> null).thenCompose(ignored -> socket.sendText(text, true));
            return lastSend;
        }
    }

    /**
     * How the connection ended.
     *
     * @return a future completed with the close code and reason when the connection closes, whichever side closed it
     */
    public CompletableFuture<CloseStatus> closed() {
        return receiver.closed;
    }

    /** Closes the connection normally and waits briefly for the relay's answer. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        try {
            receiver.closed.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            abort(ABNORMAL_CLOSURE, "no close from the relay");
        }
    }

    /**
     * Ends the connection at once, for a relay that no longer answers: the close frame goes out only if the socket
     * takes it straight away, and nothing waits for the relay's. {@link #closed()} completes with the given code and
     * requests still waiting for an answer fail.
     */
    void abort(int code, String reason) {
        receiver.end(new CloseStatus(code, reason), new IOException("connection dropped: " + code + " " + reason));
        if (!socket.isOutputClosed()) {
            socket.sendClose(code, reason);
        }
        // Closes the socket even when the JDK missed the relay's close (see Receiver): no CLOSE-WAIT is left behind.
        socket.abort();
    }

    /**
     * Whether a frame arrived since then: a relay still sending is there, even when the answer to a request waits
     * behind frames that a busy handler has not taken yet.
     *
     * @param nanos a {@link System#nanoTime()} reading
     */
    boolean heardFromSince(long nanos) {
        return receiver.lastFrameNanos - nanos >= 0;
    }

    /**
     * How the relay closed the connection.
     *
     * @param code   the WebSocket close code
     * @param reason the close reason
     */
    public record CloseStatus(int code, String reason) {
    }

    /**
     * Hands the relay's frames on. JDK 17's WebSocket can miss the relay's end of the connection: it reads the
     * socket's end of stream even while this listener is still handling the frame before it, and then its
     * {@code acknowledgeReception} finds no demand and throws an {@code InternalError} on the HTTP client's selector
     * thread; its receiving side is stopped by then, so neither {@link #onClose} nor {@link #onError} is ever called
     * and the socket stays in CLOSE-WAIT. Every path here asks for the next frame; it is the time spent handling a
     * frame (listeners, or a busy machine) that opens the window. {@link RelayClient}'s ping finds such connections.
     */
    private static final class Receiver implements WebSocket.Listener {
        private final CompletableFuture<Envelope> welcome = new CompletableFuture<>();
        private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
        private final Map<String, CompletableFuture<Envelope>> pending = new ConcurrentHashMap<>();
        private final List<Consumer<Envelope>> listeners = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile long lastFrameNanos = System.nanoTime();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastFrameNanos = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onFrame(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastFrameNanos = System.nanoTime();
            LOG.warn("Ignoring a binary frame from the relay");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            end(new CloseStatus(statusCode, reason),
                new IOException("connection closed: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end(new CloseStatus(ABNORMAL_CLOSURE, String.valueOf(error.getMessage())), error);
        }

        private void end(CloseStatus status, Throwable failure) {
            closed.complete(status);
            welcome.completeExceptionally(failure);
            pending.values().forEach(response -> response.completeExceptionally(failure));
        }

        private void onFrame(String text) {
            Envelope frame;
            try {
                frame = ENVELOPE.readValue(text);
            } catch (IOException e) {
                LOG.warn("Ignoring a frame that is not an envelope: {}", text, e);
                return;
            }
            for (Consumer<Envelope> listener : listeners) {
                try {
                    listener.accept(frame);
                } catch (RuntimeException e) {
                    LOG.warn("A frame listener failed", e);
                }
            }
            // Only now: a listener added as soon as connect() returns must not see the welcome.
            if (!welcome.isDone() && "session.created".equals(frame.event())) {
                welcome.complete(frame);
            }
            if (frame.correlationId() != null) {
                CompletableFuture<Envelope> response = pending.get(frame.correlationId());
                if (response != null) {
                    if (Envelope.ERROR.equals(frame.type())) {
                        response.completeExceptionally(new RelayErrorException(frame.errorCode(), frame.errorMessage()));
                    } else {
                        response.complete(frame);
                    }
                }
            }
        }
    }
}

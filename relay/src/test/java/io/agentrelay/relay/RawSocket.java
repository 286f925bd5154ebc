package io.agentrelay.relay;

import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;

/** A plain JDK WebSocket client that records every frame as JSON, for dialects other than the canonical one. */
final class RawSocket implements WebSocket.Listener, AutoCloseable {

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final List<String> notJson = new CopyOnWriteArrayList<>();
    private final CompletableFuture<RelayConnection.CloseStatus> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static RawSocket connect(URI uri) throws Exception {
        RawSocket raw = new RawSocket();
        raw.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, raw).get(10, TimeUnit.SECONDS);
        return raw;
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    void send(String type, JsonNode payload, String id) throws Exception {
        var frame = Json.object().put("type", type).put("id", id);
        frame.set("payload", payload);
        send(Json.toText(frame));
    }

    /** Sends a WebSocket ping frame. */
    void ping() throws Exception {
        socket.sendPing(ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS);
    }

    List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    /** The text frames received that were not JSON. */
    List<String> notJson() {
        return List.copyOf(notJson);
    }

    List<JsonNode> ofType(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    List<String> types() {
        return frames.stream().map(f -> f.path("type").asText()).toList();
    }

    CompletableFuture<RelayConnection.CloseStatus> closed() {
        return closed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(Json.readTree(partial.toString()));
            } catch (Exception e) {
                // Kept for the test to assert on: throwing here would only drop the frame and stall the socket.
                notJson.add(partial.toString());
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new RelayConnection.CloseStatus(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new RelayConnection.CloseStatus(RelayConnection.ABNORMAL_CLOSURE, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}

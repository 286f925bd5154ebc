package io.agentrelay.relay;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;

/** A raw WebSocket client that stops reading after its subscription, as a stuck browser tab would. */
final class StalledReader implements WebSocket.Listener {
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<RelayConnection.CloseStatus> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean reading = true;
    private WebSocket socket;

    static StalledReader connect(LocalCluster cluster, String channel) throws Exception {
        return connect(cluster, Json.object().put("channel", channel));
    }

    /** Resumes a channel after {@code since}, then stops reading. */
    static StalledReader resume(LocalCluster cluster, String channel, String since) throws Exception {
        return connect(cluster, Json.object().put("channel", channel).put("since", since));
    }

    private static StalledReader connect(LocalCluster cluster, ObjectNode subscribe) throws Exception {
        StalledReader reader = new StalledReader();
        reader.socket = HttpClient.newHttpClient().newWebSocketBuilder()
            .buildAsync(cluster.webSocket(0), reader).get(10, TimeUnit.SECONDS);
        reader.socket.sendText(Json.toText(Envelope.request("s1", "subscribe", subscribe)), true)
            .get(10, TimeUnit.SECONDS);
        reader.subscribed.get(10, TimeUnit.SECONDS);
        reader.reading = false;
        return reader;
    }

    /** Sends a request while not reading: a client's frames go out whatever it has not read yet. */
    void send(String id, String type, ObjectNode data) throws Exception {
        socket.sendText(Json.toText(Envelope.request(id, type, data)), true).get(10, TimeUnit.SECONDS);
    }

    /** Whether the answer to request {@code id} arrived. */
    boolean answered(String id) {
        return frames.stream().anyMatch(f -> id.equals(f.path("correlation_id").asText()));
    }

    /** The events that arrived after the answer to request {@code id}. */
    List<JsonNode> eventsAfter(String id) {
        List<JsonNode> after = frames.stream()
            .dropWhile(f -> !id.equals(f.path("correlation_id").asText())).toList();
        return events(after);
    }

    CompletableFuture<RelayConnection.CloseStatus> closed() {
        return closed;
    }

    void resumeReading() {
        reading = true;
        socket.request(Long.MAX_VALUE);
    }

    List<JsonNode> events() {
        return events(frames);
    }

    private static List<JsonNode> events(List<JsonNode> frames) {
        return frames.stream().filter(f -> "event".equals(f.path("type").asText())
            && f.path("room").asText().startsWith("workflow:")).toList();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode frame = Json.readTree(partial.toString());
                frames.add(frame);
                if ("s1".equals(frame.path("correlation_id").asText())) {
                    subscribed.complete(null);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new RelayConnection.CloseStatus(statusCode, reason));
        return null;
    }
}

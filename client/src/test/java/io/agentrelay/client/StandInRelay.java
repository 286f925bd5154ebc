package io.agentrelay.client;

import static io.undertow.Handlers.websocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoUtils;

/**
 * A relay stand-in on a real Undertow socket, for the client's connect, close and dead-connection paths that a real
 * relay cannot be made to take: it welcomes connections only when told to, stops answering while keeping its sockets
 * open, and drops connections without a close frame. It answers {@code subscribe} (resuming from any {@code since})
 * and {@code ping}, and counts the connections still open on its side.
 */
final class StandInRelay implements AutoCloseable {

    private final Set<WebSocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private final List<JsonNode> subscribes = new CopyOnWriteArrayList<>();
    private final Undertow undertow;
    private volatile boolean welcoming;
    private volatile boolean answering = true;

    StandInRelay(boolean welcoming) {
        this.welcoming = welcoming;
        this.undertow = Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setHandler(websocket((exchange, channel) -> {
                open.add(channel);
                accepted.incrementAndGet();
                clientPorts.add(channel.getSourceAddress().getPort());
                channel.addCloseTask(closed -> open.remove(closed));
                channel.getReceiveSetter().set(new Answers());
                channel.resumeReceives();
                if (this.welcoming) {
                    welcome(channel);
                }
            }))
            .build();
        undertow.start();
    }

    URI uri() {
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    /** Connections accepted since the start, closed ones included. */
    int acceptedConnections() {
        return accepted.get();
    }

    /** The client's side of each connection accepted, as its local port, in the order accepted. */
    List<Integer> clientPorts() {
        return clientPorts;
    }

    /** Connections not closed on the relay's side. */
    int openConnections() {
        return (int) open.stream().filter(WebSocketChannel::isOpen).count();
    }

    /** The {@code data} of every {@code subscribe} answered, in arrival order. */
    List<JsonNode> subscribes() {
        return subscribes;
    }

    /** Welcomes the connections open now, and from now on every new one at once. */
    void welcomeAll() {
        welcoming = true;
        open.forEach(StandInRelay::welcome);
    }

    /** New connections get no welcome until {@link #welcomeAll()}. */
    void holdWelcomes() {
        welcoming = false;
    }

    /** From now on nothing is answered, while every socket stays open: a relay cut off by a network gone. */
    void stopAnswering() {
        answering = false;
    }

    /** Sends an event of the channel to every open connection. */
    void publish(String channel, String pos) {
        open.forEach(connection -> WebSockets.sendText(event(channel, pos), connection, null));
    }

    /**
     * Sends an event of the channel to every open connection and ends each right behind it, without a close frame, as
     * a relay that dies does.
     */
    void publishAndDrop(String channel, String pos) {
        for (WebSocketChannel connection : open) {
            CompletableFuture.runAsync(() -> WebSockets.sendText(event(channel, pos), connection,
                new WebSocketCallback<Void>() {
                    @Override
                    public void complete(WebSocketChannel sent, Void context) {
                        IoUtils.safeClose(sent);
                    }

                    @Override
                    public void onError(WebSocketChannel failed, Void context, Throwable throwable) {
                        IoUtils.safeClose(failed);
                    }
                }), connection.getIoThread()).join();
        }
    }

    /** Drops every connection without a close frame, as a relay that dies does; returns once each is closed here. */
    void dropAll() {
        for (WebSocketChannel channel : open) {
            // On the channel's own I/O thread: closed from another thread, a channel could stay open on this side
            // after its peer saw it end.
            CompletableFuture.runAsync(() -> IoUtils.safeClose(channel), channel.getIoThread()).join();
        }
    }

    @Override
    public void close() {
        undertow.stop();
    }

    private static void welcome(WebSocketChannel channel) {
        WebSockets.sendText("{\"type\":\"event\",\"event\":\"session.created\",\"data\":{\"connection_id\":\"c1\"}}",
            channel, null);
    }

    private static String event(String channel, String pos) {
        return Json.toText(Json.object().put("type", "event").put("event", "node.completed").put("room", channel)
            .put("pos", pos).set("data", Json.object()));
    }

    private final class Answers extends AbstractReceiveListener {
        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) throws IOException {
            if (!answering) {
                return;
            }
            JsonNode request = Json.readTree(message.getData());
            JsonNode data = request.path("data");
            ObjectNode answer = switch (request.path("event").asText()) {
                case "subscribe" -> {
                    subscribes.add(data);
                    yield Json.object().put("status", "subscribed").put("channel", data.path("channel").asText())
                        .put("recovered", true);
                }
                case "ping" -> Json.object().put("status", "pong");
                default -> null;
            };
            if (answer != null) {
                WebSockets.sendText(Json.toText(Json.object().put("type", "response")
                    .put("event", request.path("event").asText()).put("correlation_id", request.path("id").asText())
                    .set("data", answer)), channel, null);
            }
        }
    }
}

package io.agentrelay.client;

import static io.undertow.Handlers.websocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoUtils;

/**
 * A relay stand-in on a real Undertow socket that welcomes connections only when told to, for the client's connect
 * and close paths that a real relay (which welcomes at once) cannot reach. It answers {@code subscribe} requests and
 * counts the connections still open on its side.
 */
final class HeldWelcomeRelay implements AutoCloseable {

    private final Set<WebSocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Undertow undertow;
    private volatile boolean welcoming;

    HeldWelcomeRelay(boolean welcoming) {
        this.welcoming = welcoming;
        this.undertow = Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setHandler(websocket((exchange, channel) -> {
                open.add(channel);
                accepted.incrementAndGet();
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

    /** Connections not closed on the relay's side. */
    int openConnections() {
        return (int) open.stream().filter(WebSocketChannel::isOpen).count();
    }

    /** Welcomes the connections open now, and from now on every new one at once. */
    void welcomeAll() {
        welcoming = true;
        open.forEach(HeldWelcomeRelay::welcome);
    }

    /** New connections get no welcome until {@link #welcomeAll()}. */
    void holdWelcomes() {
        welcoming = false;
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

    private static final class Answers extends AbstractReceiveListener {
        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) throws IOException {
            JsonNode request = Json.readTree(message.getData());
            if ("subscribe".equals(request.path("event").asText())) {
                String channelName = request.path("data").path("channel").asText();
                WebSockets.sendText(Json.toText(Json.object().put("type", "response").put("event", "subscribe")
                    .put("correlation_id", request.path("id").asText())
                    .set("data", Json.object().put("status", "subscribed").put("channel", channelName))), channel, null);
            }
        }
    }
}

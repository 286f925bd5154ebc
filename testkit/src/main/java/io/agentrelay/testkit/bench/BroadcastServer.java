package io.agentrelay.testkit.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;

import static io.undertow.Handlers.websocket;

/**
 * The benchmarks' ceiling: a bare Undertow WebSocket server that answers the canonical {@code subscribe} and
 * {@code ping} and broadcasts numbered events to each channel's subscribers at a steady rate, with frames shaped like
 * the relay's. No Kafka, no outbox, no resume: what fan-out costs on this stack with nothing else in the way, so the
 * relay's figures can be read as a fraction of it.
 *
 * <p>{@code java -cp … io.agentrelay.testkit.bench.BroadcastServer PORT RATE CHANNEL_PATTERN CHANNELS PAYLOAD}
 * ({@code {i}} in the pattern runs over the channels); prints {@code BENCH_URL=ws://…/ws} once it listens, and runs
 * until it is killed.
 */
public final class BroadcastServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Set<WebSocketChannel>> subscribers = new ConcurrentHashMap<>();

    private BroadcastServer() {
    }

    /**
     * @param args port (0 for any), events a second, channel pattern, channel count, padding bytes per event
     */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        double rate = Double.parseDouble(args[1]);
        String pattern = args[2];
        int channels = Integer.parseInt(args[3]);
        int payload = Integer.parseInt(args[4]);
        BroadcastServer server = new BroadcastServer();
        Undertow undertow = Undertow.builder()
            .addHttpListener(port, "127.0.0.1")
            .setIoThreads(Runtime.getRuntime().availableProcessors())
            .setHandler(websocket((exchange, channel) -> {
                channel.getReceiveSetter().set(server.new Requests());
                channel.resumeReceives();
            }))
            .build();
        undertow.start();
        int actual = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        System.out.println("BENCH_URL=ws://127.0.0.1:" + actual + "/ws");
        System.out.flush();
        server.broadcast(rate, pattern, channels, "x".repeat(payload));
    }

    private void broadcast(double rate, String pattern, int channels, String pad) {
        String[] names = new String[channels];
        long[] seq = new long[channels];
        for (int i = 0; i < channels; i++) {
            names[i] = pattern.replace("{i}", Integer.toString(i));
        }
        long start = System.nanoTime();
        double interval = 1e9 / rate;
        for (long n = 0; ; n++) {
            long due = start + (long) (n * interval);
            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            int i = (int) (n % channels);
            Set<WebSocketChannel> targets = subscribers.get(names[i]);
            long number = seq[i]++;
            if (targets == null || targets.isEmpty()) {
                continue;
            }
            String frame = "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"event\",\"event\":\"bench.tick\","
                + "\"data\":{\"seq\":" + number + ",\"pad\":\"" + pad + "\"},\"timestamp\":\"" + Instant.now()
                + "\",\"room\":\"" + names[i] + "\",\"pos\":\"v1.bench." + i + "." + number + "\"}";
            // Encoded once, the same bytes for every subscriber, as the relay does.
            byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
            for (WebSocketChannel target : targets) {
                WebSockets.sendText(ByteBuffer.wrap(bytes), target, null);
            }
        }
    }

    /** The canonical requests a load client sends: subscribe and ping. */
    private final class Requests extends AbstractReceiveListener {
        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) 
            throws java.io.IOException {
            JsonNode request = JSON.readTree(message.getData());
            String id = request.path("id").asText("");
            String event = request.path("event").asText("");
            if (event.equals("subscribe")) {
                String name = request.path("data").path("channel").asText();
                subscribers.computeIfAbsent(name, key -> ConcurrentHashMap.newKeySet()).add(channel);
                channel.addCloseTask(closed -> subscribers.get(name).remove(closed));
            }
            WebSockets.sendText("{\"correlation_id\":\"" + id + "\",\"type\":\"response\",\"event\":\"" + event
                + "\",\"data\":{\"status\":\"ok\"}}", channel, null);
        }
    }
}

package io.agentrelay.tools.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * One simulated client, kept across reconnects: the channel it follows, the last sequence number and position it got
 * (a reconnect resumes from there and any gap or repeat is counted), and the workflows it started and waits for.
 * Everything but {@link #connected} runs on the socket's event loop.
 */
final class BenchSocket {

    private final int index;
    private final String channel;
    private final Tally tally;
    private long lastSeq = -1;
    private String lastPos;
    /** The workflows this client started and has not seen end, by channel: when each was sent, its first event. */
    private final Map<String, Started> running = new HashMap<>();
    private volatile Channel socket;

    BenchSocket(int index, String channel, Tally tally) {
        this.index = index;
        this.channel = channel;
        this.tally = tally;
    }

    int index() {
        return index;
    }

    /** A handler for a new connection of this client; {@code live} completes once it follows its channel. */
    Handler handler(CompletableFuture<Void> live) {
        return new Handler(live);
    }

    /** Whether the client has a socket that is open. */
    boolean connected() {
        Channel current = socket;
        return current != null && current.isActive();
    }

    /**
     * Drops the socket without waiting for the server. Politely, the connection's protocol handler sends a close frame
     * (1000) first, as a client that leaves does; abruptly, with {@code SO_LINGER} 0 on a connection opened without
     * close frames, the server gets a TCP reset and nothing else, as from a network failure or a killed process.
     *
     * @param abrupt whether to reset the connection; its handler must have been made without close frames
     */
    void drop(boolean abrupt) {
        Channel current = socket;
        if (current != null) {
            current.attr(Handler.EXPECTED).set(Boolean.TRUE);
            if (abrupt) {
                current.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            current.close();
        }
    }

    /** Ends the connection with a normal close. */
    void close() {
        Channel current = socket;
        if (current != null && current.isActive()) {
            current.attr(Handler.EXPECTED).set(Boolean.TRUE);
            current.writeAndFlush(new CloseWebSocketFrame(1000, "load run over"))
                .addListener(done -> current.close());
        }
    }

    /** Sends the canonical {@code ping} request; its response counts as a pong. */
    void ping() {
        send("{\"event\":\"ping\",\"id\":\"p\"}");
    }

    private static final class Started {
        final long sent = System.nanoTime();
        boolean firstSeen;
    }

    /**
     * Starts a one-node workflow: subscribes to its channel, then sends {@code execute_workflow} and measures the time
     * from that frame to its {@code accepted} answer, to the workflow's first event and to its end; unsubscribes then.
     *
     * @param workflowId the workflow's id, unique in the run
     */
    void startWorkflow(String workflowId) {
        Channel current = socket;
        if (current == null || !current.isActive()) {
            return;
        }
        current.eventLoop().execute(() -> send("{\"event\":\"subscribe\",\"id\":\"ws:" + workflowId
            + "\",\"data\":{\"channel\":\"workflow:" + workflowId + "\"}}"));
    }

    private void execute(String workflowId) {
        running.put("workflow:" + workflowId, new Started());
        tally.commandsSent.increment();
        send("{\"event\":\"execute_workflow\",\"id\":\"wx:" + workflowId + "\",\"data\":{\"workflow_id\":\""
            + workflowId + "\",\"nodes\":[{\"id\":\"only\",\"tool\":\"echo\",\"params\":{\"message\":\"bench\"}}],"
            + "\"edges\":[]}}");
    }

    private void send(String text) {
        Channel current = socket;
        if (current != null && current.isActive()) {
            current.writeAndFlush(new TextWebSocketFrame(text));
        }
    }

    private String subscribeFrame() {
        String since = lastPos == null ? "" : ",\"since\":\"" + lastPos + "\"";
        return "{\"event\":\"subscribe\",\"id\":\"sub\",\"data\":{\"channel\":\"" + channel + "\"" + since + "}}";
    }

    private void onEvent(String frame) {
        String room = Frame.room(frame);
        if (room == null) {
            return;
        }
        if (room.equals(channel)) {
            tally.events.increment();
            onChannelEvent(frame);
            return;
        }
        Started started = running.get(room);
        if (started == null) {
            return;
        }
        long took = Tally.micros(System.nanoTime() - started.sent);
        if (!started.firstSeen) {
            started.firstSeen = true;
            tally.commandsAnswered.increment();
            if (tally.measuring()) {
                tally.commandLatency.recordValue(took);
            }
        }
        String name = Frame.event(frame);
        if ("workflow.completed".equals(name) || "workflow.failed".equals(name)) {
            running.remove(room);
            tally.commandsCompleted.increment();
            if (tally.measuring()) {
                tally.completedLatency.recordValue(took);
            }
            send("{\"event\":\"unsubscribe\",\"id\":\"wu\",\"data\":{\"channel\":\"" + room + "\"}}");
        }
    }

    private void onChannelEvent(String frame) {
        if (tally.measuring()) {
            long happened = Frame.timestampMicros(frame);
            if (happened > 0) {
                Instant now = Instant.now();
                long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
                tally.eventLatency.recordValue(Tally.clampMicros(nowMicros - happened));
            }
        }
        long seq = Frame.seq(frame);
        if (seq >= 0) {
            if (lastSeq >= 0 && seq <= lastSeq) {
                tally.duplicates.increment();
                return;
            }
            if (lastSeq >= 0 && seq > lastSeq + 1) {
                tally.missing.add(seq - lastSeq - 1);
            }
            lastSeq = seq;
        }
        String pos = Frame.pos(frame);
        if (pos != null) {
            lastPos = pos;
        }
    }

    private void onResponse(String frame, CompletableFuture<Void> live) {
        String correlation = Frame.correlationId(frame);
        if (correlation == null) {
            return;
        }
        if (correlation.equals("sub")) {
            live.complete(null);
        } else if (correlation.equals("p")) {
            tally.pongs.increment();
        } else if (correlation.startsWith("ws:")) {
            execute(correlation.substring(3));
        } else if (correlation.startsWith("wx:")) {
            tally.commandsAccepted.increment();
            Started started = running.get("workflow:" + correlation.substring(3));
            if (started != null && tally.measuring()) {
                tally.acceptedLatency.recordValue(Tally.micros(System.nanoTime() - started.sent));
            }
        }
    }

    /** The client's side of one connection. */
    final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {

        static final io.netty.util.AttributeKey<Boolean> EXPECTED = io.netty.util.AttributeKey.valueOf("expected");

        private final CompletableFuture<Void> live;
        private boolean closeSeen;

        Handler(CompletableFuture<Void> live) {
            this.live = live;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                tally.stormStage(tally.stormUpgraded);
                socket = ctx.channel();
                if (channel == null) {
                    live.complete(null);
                } else {
                    send(subscribeFrame());
                }
            } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                live.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                tally.bytes.add(text.content().readableBytes());
                String body = text.text();
                String type = Frame.type(body);
                if ("event".equals(type)) {
                    onEvent(body);
                } else if ("response".equals(type)) {
                    onResponse(body, live);
                } else if ("error".equals(type)) {
                    tally.error(Frame.errorCode(body));
                    if ("sub".equals(Frame.correlationId(body))) {
                        live.completeExceptionally(new IllegalStateException("subscribe refused: " + body));
                    }
                }
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeSeen = true;
                if (ctx.channel().attr(EXPECTED).get() == null) {
                    tally.closed(close.statusCode());
                }
                live.completeExceptionally(new IllegalStateException("closed " + close.statusCode() + " "
                    + close.reasonText()));
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(done -> ctx.close());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().attr(EXPECTED).get() != null) {
                tally.stormStage(tally.stormClosed);
            }
            if (!closeSeen && ctx.channel().attr(EXPECTED).get() == null && socket == ctx.channel()) {
                tally.closed(1006);
            }
            live.completeExceptionally(new IllegalStateException("socket closed before it was live"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            live.completeExceptionally(cause);
            ctx.close();
        }
    }
}

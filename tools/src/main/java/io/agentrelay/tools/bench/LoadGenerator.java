package io.agentrelay.tools.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Opens many WebSocket clients against one endpoint and measures what they get: opens them at a set rate, lets them
 * follow their channels, warms up, then measures delivered events, their latency from the time in the event to its
 * arrival, gaps and repeats per channel, and optionally the latency of commands, a resume storm and heartbeats.
 */
final class LoadGenerator implements AutoCloseable {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_FRAME = 1 << 20;

    private final LoadPlan plan;
    private final Tally tally = new Tally();
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SourceAddresses sources;
    private final InetSocketAddress target;
    private final List<BenchSocket> sockets = new ArrayList<>();
    private final PrintWriter progress;

    /**
     * @param plan     what to do
     * @param progress where to say when the clients are live and how the storm went
     */
    LoadGenerator(LoadPlan plan, PrintWriter progress) {
        this.plan = plan;
        this.progress = progress;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(plan.threads(), io);
        Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.bootstrap = new Bootstrap().group(group).channel(type)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        this.sources = new SourceAddresses(plan.firstSource(), plan.sources());
        URI url = plan.url();
        int port = url.getPort() > 0 ? url.getPort() : 80;
        this.target = new InetSocketAddress(url.getHost(), port);
    }

    /**
     * Runs the plan and reports what was measured.
     *
     * @param measuring called when the measurement starts, after the warm-up
     */
    LoadReport run(Runnable measuring) throws InterruptedException {
        for (int i = 0; i < plan.connections(); i++) {
            sockets.add(new BenchSocket(i, plan.channelOf(i), tally));
        }
        long openStart = System.nanoTime();
        int opened = open(sockets, -1);
        long openNanos = System.nanoTime() - openStart;
        // Scenario scripts wait for this line before they start their event source.
        progress.printf("live: %d of %d clients after %d ms%n", opened, plan.connections(),
            TimeUnit.NANOSECONDS.toMillis(openNanos));
        progress.flush();

        sleep(plan.warmup());
        tally.eventLatency.reset();
        tally.acceptedLatency.reset();
        tally.commandLatency.reset();
        tally.completedLatency.reset();
        long eventsBefore = tally.events.sum();
        long bytesBefore = tally.bytes.sum();
        long cpuBefore = processCpuNanos();
        measuring.run();
        tally.measuring(true);
        long windowStart = System.nanoTime();
        long resumeNanos = measure(windowStart);
        long windowNanos = System.nanoTime() - windowStart;
        awaitAnswers();
        tally.measuring(false);
        long cpuNanos = processCpuNanos() - cpuBefore;
        Histogram events = tally.eventLatency.getIntervalHistogram();
        Histogram accepted = tally.acceptedLatency.getIntervalHistogram();
        Histogram commands = tally.commandLatency.getIntervalHistogram();
        Histogram completed = tally.completedLatency.getIntervalHistogram();
        Histogram liveAgain = tally.liveAgain.getIntervalHistogram();
        long delivered = tally.events.sum() - eventsBefore;
        long bytes = tally.bytes.sum() - bytesBefore;
        long stillOpen = sockets.stream().filter(BenchSocket::connected).count();
        LoadReport.Distributions distributions = new LoadReport.Distributions(events, accepted, commands, completed,
            liveAgain);
        return new LoadReport(plan, opened, openNanos, stillOpen, windowNanos, delivered, bytes, distributions, tally,
            resumeNanos, cpuNanos);
    }

    /**
     * Opens the clients, at most {@code maxPending} at once and at the plan's rate; returns how many went live.
     *
     * @param since when the clients lost their sockets ({@link System#nanoTime}), to record how long each took to be
     *              live again; -1 on the first opening
     */
    private int open(List<BenchSocket> clients, long since) throws InterruptedException {
        Semaphore pending = new Semaphore(plan.maxPending());
        AtomicInteger live = new AtomicInteger();
        Pacer pacer = plan.connectRate() > 0 ? new Pacer(plan.connectRate()) : null;
        for (int i = 0; i < clients.size(); i++) {
            if (pacer != null) {
                pacer.await();
            }
            pending.acquire();
            connect(clients.get(i)).whenComplete((ok, failure) -> {
                if (failure == null) {
                    live.incrementAndGet();
                    if (since >= 0) {
                        tally.liveAgain.recordValue(Tally.micros(System.nanoTime() - since));
                    }
                } else {
                    tally.connectFailures.increment();
                }
                pending.release();
            });
        }
        if (!pending.tryAcquire(plan.maxPending(), OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            progress.println("Some clients were still opening after " + OPEN_TIMEOUT.toSeconds() + " s");
        } else {
            pending.release(plan.maxPending());
        }
        return live.get();
    }

    private CompletableFuture<Void> connect(BenchSocket client) {
        CompletableFuture<Void> live = new CompletableFuture<>();
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(plan.url())
            .maxFramePayloadLength(MAX_FRAME)
            .handleCloseFrames(false)
            // Without a status, closing the channel sends no close frame: the abrupt drop's reset comes alone.
            .sendCloseFrame(plan.abruptDrop() ? null : WebSocketCloseStatus.NORMAL_CLOSURE)
            .handshakeTimeoutMillis(OPEN_TIMEOUT.toMillis())
            .build();
        Bootstrap forClient = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(
                    new HttpClientCodec(),
                    new HttpObjectAggregator(8192),
                    new WebSocketClientProtocolHandler(config),
                    client.handler(live));
            }
        });
        forClient.connect(target, sources.forClient(client.index())).addListener(done -> {
            if (!done.isSuccess()) {
                live.completeExceptionally(done.cause());
            } else {
                tally.stormStage(tally.stormConnected);
            }
        });
        return live;
    }

    /** The measurement window: commands, heartbeats and the resume storm as planned. Returns the storm's length. */
    private long measure(long windowStart) throws InterruptedException {
        long end = windowStart + plan.duration().toNanos();
        long commandEvery = plan.commandRate() > 0 ? (long) (1_000_000_000L / plan.commandRate()) : Long.MAX_VALUE;
        long pingEvery = plan.pingEvery() == null ? Long.MAX_VALUE
            : Math.max(1, plan.pingEvery().toNanos() / plan.connections());
        long nextCommand = plan.commandRate() > 0 ? windowStart : Long.MAX_VALUE;
        long nextPing = plan.pingEvery() == null ? Long.MAX_VALUE : windowStart;
        long stormAt = plan.resumeAt() == null ? Long.MAX_VALUE : windowStart + plan.resumeAt().toNanos();
        long stormNanos = -1;
        int commands = 0;
        int pings = 0;
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            if (now >= stormAt) {
                stormAt = Long.MAX_VALUE;
                stormNanos = storm();
            } else if (now >= nextCommand) {
                sockets.get(commands % sockets.size()).startWorkflow("bench-" + run + "-" + commands);
                commands++;
                nextCommand += commandEvery;
            } else if (now >= nextPing) {
                sockets.get(pings % sockets.size()).ping();
                pings++;
                nextPing += pingEvery;
            } else {
                long next = Math.min(end, Math.min(stormAt, Math.min(nextCommand, nextPing)));
                LockSupport.parkNanos(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        }
        return stormNanos;
    }

    /** Lets the workflows started at the end of the window complete, so that each one sent is measured. */
    private void awaitAnswers() {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (tally.commandsCompleted.sum() < tally.commandsSent.sum() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Every client drops its socket at once and reconnects, resuming after its last event. */
    private long storm() throws InterruptedException {
        long start = System.nanoTime();
        tally.stormStart = start;
        sockets.forEach(socket -> socket.drop(plan.abruptDrop()));
        long dropped = System.nanoTime() - start;
        tally.reconnects.add(sockets.size());
        int live = open(sockets, start);
        long took = System.nanoTime() - start;
        tally.stormStart = -1;
        progress.printf("Resume storm: %d of %d clients live again after %d ms%n", live, sockets.size(),
            TimeUnit.NANOSECONDS.toMillis(took));
        // Where the time went: when the first, the median and the last client passed each stage.
        progress.printf("Resume storm stages, ms after the drop (first / p50 / last): drops asked %d; old sockets "
                + "closed %s; new ones connected %s; upgraded %s%n", TimeUnit.NANOSECONDS.toMillis(dropped),
            stage(tally.stormClosed), stage(tally.stormConnected), stage(tally.stormUpgraded));
        progress.flush();
        return took;
    }

    private static String stage(Recorder stage) {
        Histogram times = stage.getIntervalHistogram();
        return times.getTotalCount() == 0 ? "-" : String.format("%d / %d / %d", times.getMinValue() / 1_000,
            times.getValueAtPercentile(50) / 1_000, times.getMaxValue() / 1_000);
    }

    private static void sleep(Duration duration) throws InterruptedException {
        if (!duration.isZero()) {
            Thread.sleep(duration.toMillis());
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    @Override
    public void close() {
        sockets.forEach(BenchSocket::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

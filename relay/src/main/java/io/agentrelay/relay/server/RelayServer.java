package io.agentrelay.relay.server;

import java.net.InetSocketAddress;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.runtime.metrics.Metrics;
import io.agentrelay.relay.api.HttpApi;
import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.TokenVerifier;
import io.agentrelay.relay.auth.UpgradeRefusal;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.inbound.RequestRouter;
import io.agentrelay.relay.kafka.CommandPublisher;
import io.agentrelay.relay.kafka.KafkaHealth;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.SessionRegistry;
import io.agentrelay.relay.state.EntityDirectory;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * The relay's HTTP and WebSocket server (Undertow): the canonical dialect on {@code /ws} and {@code /}, Praxis on
 * {@code /ws/events} and {@code /ws/workflow}, AgentCraft on {@code /ws/agent-tracking/{client_id}} (and, for its React
 * app, {@code /api/ws/agent-tracking/{client_id}}), Nexus panels on
 * {@code /panels/{id}/ws}; the HTTP API under {@code /api}; and {@code GET /health}, {@code /health/live},
 * {@code /stats} and {@code /metrics}; and the web console under {@code /console/}. With
 * {@code RELAY_MANAGEMENT_PORT} set, health and metrics move to a listener of their own on that port ({@code /stats}
 * is on both).
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final Undertow undertow;
    /** The management listener, or null when its endpoints are served on the main port. */
    private final Undertow management;

    private RelayServer(Undertow undertow, Undertow management) {
        this.undertow = undertow;
        this.management = management;
    }

    /**
     * Builds and starts the server.
     *
     * @param config    the node's settings
     * @param dialects  the dialects, one per endpoint
     * @param sessions  the node's sessions
     * @param fanout    the event fan-out
     * @param router    the request router
     * @param publisher the command publisher, for its circuit state
     * @param health    the Kafka probe, for readiness
     * @param stats     the node's counters
     * @param directory the panels that exist, for the panel endpoint's 404
     * @param api       the HTTP API
     * @param metrics   the node's metrics, for {@code GET /metrics}
     * @param draining  whether the node is shutting down: {@code /health} then says so with 503
     * @return the running server
     */
    public static RelayServer start(RelayConfig config, Dialects dialects, SessionRegistry sessions,
                                    EventFanout fanout, RequestRouter router, CommandPublisher publisher,
                                    KafkaHealth health, RelayStats stats, EntityDirectory directory, HttpApi api,
                                    Metrics metrics, BooleanSupplier draining) {
        TokenVerifier verifier = config.authEnabled() ? TokenVerifier.of(config) : null;
        if (verifier == null) {
            LOG.warn("Authentication is OFF (RELAY_AUTH_DISABLED=true): anyone who reaches this relay may read every "
                + "channel and send every command; set RELAY_JWT_SECRET or RELAY_JWKS_FILE instead");
        }
        // A node whose event reader ended can serve no socket: 503 before the handshake, so that clients try again
        // (through the load balancer, elsewhere) rather than open a socket that is closed at once.
        BiFunction<Dialect, Function<String, String>, HttpHandler> socket = (dialect, missing) -> {
            HttpHandler upgrade = new AuthHandler(verifier, new UpgradeAuthorization(dialect, missing,
                Handlers.websocket(new WebSocketEndpoint(dialect, config, sessions, fanout, router, stats),
                    StatusHandlers.upgradeRequired())));
            return exchange -> {
                if (fanout.isRunning()) {
                    upgrade.handleRequest(exchange);
                } else {
                    UpgradeRefusal.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                        EventFanout.READER_ENDED);
                }
            };
        };
        Function<String, String> anyId = id -> null;
        HttpHandler canonicalSocket = socket.apply(dialects.canonical(), anyId);
        HttpHandler praxisSocket = socket.apply(dialects.praxis(), anyId);
        PathHandler paths = Handlers.path()
            .addExactPath("/ws", canonicalSocket)
            .addExactPath("/", canonicalSocket)
            .addExactPath("/ws/events", praxisSocket)
            .addExactPath("/ws/workflow", praxisSocket)
            // AgentCraft's dialect checks the client id itself: its clients expect close code 1008, not HTTP 404.
            .addPrefixPath("/ws/agent-tracking", new ResourcePath("", socket.apply(dialects.agentCraft(), anyId)))
            .addPrefixPath("/api/ws/agent-tracking", new ResourcePath("",
                socket.apply(dialects.agentCraftApp(), anyId)))
            .addPrefixPath("/panels", new ResourcePath("/ws", socket.apply(dialects.nexus(),
                id -> directory.panel(id).isPresent() ? null : "panel '" + id + "' does not exist")))
            .addExactPath("/api/sessions", new AuthHandler(verifier, api.sessions()))
            .addExactPath("/api/workflows", new AuthHandler(verifier, api.workflows()))
            .addExactPath("/api/panels", new AuthHandler(verifier, api.panels()))
            .addPrefixPath("/console", new ConsoleHandler(verifier));
        HttpHandler statsPage = StatusHandlers.json(() -> stats(config, sessions, fanout, publisher, stats),
            body -> StatusCodes.OK);
        // The web console on this port reads /stats from it, wherever health and metrics are.
        paths.addExactPath("/stats", statsPage);
        PathHandler management = config.managementPort().isEmpty() ? paths : Handlers.path();
        management
            .addExactPath("/health/live", StatusHandlers.json(() -> liveness(fanout), RelayServer::healthStatus))
            .addExactPath("/health", StatusHandlers.json(() -> health(config, health, fanout, publisher, draining),
                RelayServer::healthStatus))
            .addExactPath("/metrics", StatusHandlers.text(metrics::scrape, Metrics.CONTENT_TYPE))
            .addExactPath("/stats", statsPage);
        Undertow undertow = listener(config, config.nodeId(), config.port(), config.ioThreads(), paths);
        if (management == paths) {
            return new RelayServer(undertow, null);
        }
        try {
            // An I/O thread of its own: the main port's threads run every queued frame write before they read again,
            // which kept /health and /metrics unanswered for up to a minute under a fan-out flood.
            return new RelayServer(undertow, listener(config, config.nodeId() + "-management",
                config.managementPort().getAsInt(), 1, management));
        } catch (RuntimeException e) {
            undertow.stop();
            throw e;
        }
    }

    /** @param name the XNIO worker's, in its threads' names */
    private static Undertow listener(RelayConfig config, String name, int port, int ioThreads, HttpHandler handler) {
        Undertow undertow = Undertow.builder()
            .addHttpListener(port, config.host())
            .setWorkerOption(Options.WORKER_NAME, name)
            .setIoThreads(ioThreads)
            // Nothing runs on worker threads but /metrics: requests are answered on the I/O thread without blocking.
            .setWorkerThreads(2)
            // A connection that never sends a complete request (a WebSocket upgrade included) would hold a socket
            // and a slot of the operating system's for good: close it. Upgraded sockets are not affected.
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) config.handshakeTimeout().toMillis())
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) config.handshakeTimeout().toMillis())
            .setHandler(handler)
            .build();
        undertow.start();
        return undertow;
    }

    /** The port the server listens on; the real one when the configured port was 0. */
    public int port() {
        return port(undertow);
    }

    /** The port of {@code /health} and {@code /metrics}: the management port when one is set, else {@link #port()}. */
    public int managementPort() {
        return port(management == null ? undertow : management);
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        undertow.stop();
        if (management != null) {
            management.stop();
        }
    }

    private static int port(Undertow listener) {
        return ((InetSocketAddress) listener.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** 200 for a health body whose status is UP, else 503: what load balancers and probes go by. */
    private static int healthStatus(ObjectNode body) {
        return body.path("status").asText().equals("UP") ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE;
    }

    /** Whether the process can still do its work: not once its event reader ended, which only a restart mends. */
    private static ObjectNode liveness(EventFanout fanout) {
        return fanout.isRunning() ? Json.object().put("status", "UP")
            : Json.object().put("status", "DOWN").put("events", "DOWN");
    }

    private static ObjectNode health(RelayConfig config, KafkaHealth health, EventFanout fanout,
                                     CommandPublisher publisher, BooleanSupplier draining) {
        boolean kafka = health.isReachable();
        // A fan-out whose consumer failed delivers nothing: new clients must go to another node.
        boolean events = fanout.isRunning();
        return Json.object()
            .put("status", draining.getAsBoolean() ? "DRAINING" : kafka && events ? "UP" : "DOWN")
            .put("node", config.nodeId())
            .put("kafka", kafka ? "UP" : "DOWN")
            .put("events", events ? "UP" : "DOWN")
            .put("commands", publisher.circuitState().name());
    }

    private static ObjectNode stats(RelayConfig config, SessionRegistry sessions, EventFanout fanout,
                                    CommandPublisher publisher, RelayStats stats) {
        ObjectNode body = (ObjectNode) Json.tree(stats.snapshot(sessions.size()));
        return body.put("node", config.nodeId())
            .put("channels", fanout.channelCount())
            .put("commands_circuit", publisher.circuitState().name());
    }
}

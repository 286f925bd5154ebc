package io.agentrelay.relay.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;

import io.agentrelay.runtime.config.Checks;
import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.runtime.config.Env;
import io.agentrelay.runtime.config.KafkaSettings;

/**
 * Settings of one relay node, each read from an environment variable.
 *
 * @param host           {@code RELAY_HOST}: the address to listen on, default {@value #DEFAULT_HOST}
 * @param port           {@code RELAY_PORT}: the HTTP and WebSocket port, default {@value #DEFAULT_PORT}; 0 picks a
 *                       free one
 * @param managementPort {@code RELAY_MANAGEMENT_PORT}: when set, {@code /health}, {@code /health/live},
 *                       {@code /metrics} and {@code /stats} are served on this port, on a listener with an I/O thread
 *                       of its own, so that a flood of WebSocket frames cannot delay a health check or a scrape; the
 *                       main port then no longer serves the first three ({@code /stats} stays there for the web
 *                       console). Unset (the default): all four on {@code RELAY_PORT}. 0 picks a free port
 * @param nodeId         {@code RELAY_NODE_ID}: this node's name in logs and stats, default a random one
 * @param kafka          how to reach Kafka
 * @param maxFrameBytes  {@code RELAY_MAX_FRAME_BYTES}: the largest inbound frame; a larger one closes the socket with
 *                       1009, default {@value #DEFAULT_MAX_FRAME_BYTES}
 * @param outboxMessages {@code RELAY_OUTBOX_MESSAGES}: frames a session may have waiting to be sent before it counts as
 *                       too slow, default {@value #DEFAULT_OUTBOX_MESSAGES}, at least {@value #MIN_OUTBOX_MESSAGES}
 *                       (resumes and replays wait while half of it is taken)
 * @param outboxBytes    {@code RELAY_OUTBOX_BYTES}: bytes a session may have waiting, default
 *                       {@value #DEFAULT_OUTBOX_BYTES}
 * @param commandTimeout {@code RELAY_COMMAND_TIMEOUT_MS}: how long a command may wait for Kafka's acknowledgement
 *                       before the client gets {@code UNAVAILABLE}, default 5 s
 * @param ioThreads      {@code RELAY_IO_THREADS}: Undertow I/O threads, default the number of cores
 * @param rateLimit      {@code RELAY_RATE_LIMIT}: frames a second one connection may send (bursts of as many),
 *                       default {@value #DEFAULT_RATE_LIMIT}
 * @param maxSubscriptions {@code RELAY_MAX_SUBSCRIPTIONS}: channels one connection may subscribe to, default
 *                       {@value #DEFAULT_MAX_SUBSCRIPTIONS}
 * @param maxConnections {@code RELAY_MAX_CONNECTIONS}: connections this node accepts at once; more are closed with
 *                       1013 at once, default {@value #DEFAULT_MAX_CONNECTIONS}
 * @param maxConnectionsPerSubject {@code RELAY_MAX_CONNECTIONS_PER_SUBJECT}: connections one token subject (without
 *                       authentication: one remote address) may hold on this node; more are closed with 1008, default
 *                       {@value #DEFAULT_MAX_CONNECTIONS_PER_SUBJECT}
 * @param handshakeTimeout {@code RELAY_HANDSHAKE_TIMEOUT_MS}: how long a TCP connection may take to send a complete
 *                       HTTP request (a WebSocket upgrade included) before it is closed, default 10 s
 * @param pingInterval   {@code RELAY_PING_INTERVAL_MS}: how long a connection may be silent before the relay sends
 *                       it a WebSocket ping frame (browsers and WebSocket libraries answer those by themselves); one
 *                       that sends nothing and answers no ping for three intervals is closed as dead, default 30 s
 * @param praxisHeartbeat {@code RELAY_PRAXIS_HEARTBEAT_MS}: Praxis's heartbeat interval; a Praxis client that has
 *                       sent {@code PING} is disconnected when it sends none for three, default 30 s
 * @param agentCraftPing {@code RELAY_AGENTCRAFT_PING_MS}: how long an AgentCraft client may be silent before the relay
 *                       sends it a {@code ping}; one that gives no sign of life (not even an answer to a WebSocket
 *                       ping frame) for three is disconnected, default 30 s
 * @param agentCraftRatePerMinute {@code RELAY_AGENTCRAFT_RATE_LIMIT}: messages a minute one AgentCraft client may
 *                       send, default {@value #DEFAULT_AGENTCRAFT_RATE_PER_MINUTE}
 * @param jwtSecret      {@code RELAY_JWT_SECRET}: the HS256 key (at least 32 bytes) that client tokens are signed
 *                       with; empty for none
 * @param jwksFile       {@code RELAY_JWKS_FILE}: a JSON Web Key Set file of RS256/ES256 public keys; empty for none.
 *                       Authentication needs either
 * @param authDisabled   {@code RELAY_AUTH_DISABLED}: {@code true} to run without authentication, serving every channel
 *                       and command to anyone; default false. A relay with neither a key nor this refuses to start,
 *                       so that none runs open by mistake
 * @param drainTime      {@code RELAY_DRAIN_MS}: how long a stopping relay reports itself unready before it closes its
 *                       connections, so that load balancers stop sending it clients first, default 5 s
 */
public record RelayConfig(
    String host,
    int port,
    OptionalInt managementPort,
    String nodeId,
    KafkaSettings kafka,
    int maxFrameBytes,
    int outboxMessages,
    int outboxBytes,
    Duration commandTimeout,
    int ioThreads,
    int rateLimit,
    int maxSubscriptions,
    int maxConnections,
    int maxConnectionsPerSubject,
    Duration handshakeTimeout,
    Duration pingInterval,
    Duration praxisHeartbeat,
    Duration agentCraftPing,
    int agentCraftRatePerMinute,
    String jwtSecret,
    String jwksFile,
    boolean authDisabled,
    Duration drainTime) {

    /** Listen on every interface. */
    public static final String DEFAULT_HOST = "0.0.0.0";
    /** The default port. */
    public static final int DEFAULT_PORT = 8080;
    /** 64 KiB: far above any legitimate command, far below what could hurt the node. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    /** The default outbox length. */
    public static final int DEFAULT_OUTBOX_MESSAGES = 1024;
    /** Half of it is what a resume may queue at once; fewer would make every resume wait for each frame. */
    public static final int MIN_OUTBOX_MESSAGES = 16;
    /** 4 MiB. */
    public static final int DEFAULT_OUTBOX_BYTES = 4 * 1024 * 1024;
    /** The default command timeout. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** The rate the Mahavishnu API promises its clients. */
    public static final int DEFAULT_RATE_LIMIT = 100;
    /** The default subscription limit. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
    /** The connection limit the Mahavishnu API documents. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    /** Plenty for one user's tabs and devices; one token cannot take a node's every slot. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SUBJECT = 100;
    /** Ample for a client on a slow network; a connection that sends no request is closed after it. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The rate AgentCraft's own server allows. */
    public static final int DEFAULT_AGENTCRAFT_RATE_PER_MINUTE = 60;

    /** Validates every field: the one place where each setting's bounds are. */
    public RelayConfig {
        Checks.notBlank("RELAY_HOST", host);
        Checks.range("RELAY_PORT", port, 0, 65_535);
        Objects.requireNonNull(managementPort, "managementPort");
        managementPort.ifPresent(value -> Checks.range("RELAY_MANAGEMENT_PORT", value, 0, 65_535));
        if (managementPort.isPresent() && managementPort.getAsInt() == port && port != 0) {
            throw new ConfigException("RELAY_MANAGEMENT_PORT must differ from RELAY_PORT (" + port + ")");
        }
        Checks.notBlank("RELAY_NODE_ID", nodeId);
        Objects.requireNonNull(kafka, "kafka");
        Checks.range("RELAY_MAX_FRAME_BYTES", maxFrameBytes, 256, 16 * 1024 * 1024);
        Checks.range("RELAY_OUTBOX_MESSAGES", outboxMessages, MIN_OUTBOX_MESSAGES, 1_000_000);
        Checks.range("RELAY_OUTBOX_BYTES", outboxBytes, 1024, Integer.MAX_VALUE);
        Checks.millis("RELAY_COMMAND_TIMEOUT_MS", commandTimeout, 1, 600_000);
        Checks.range("RELAY_IO_THREADS", ioThreads, 1, 1024);
        Checks.range("RELAY_RATE_LIMIT", rateLimit, 1, 1_000_000);
        Checks.range("RELAY_MAX_SUBSCRIPTIONS", maxSubscriptions, 1, 1_000_000);
        Checks.range("RELAY_MAX_CONNECTIONS", maxConnections, 1, 10_000_000);
        Checks.range("RELAY_MAX_CONNECTIONS_PER_SUBJECT", maxConnectionsPerSubject, 1, 10_000_000);
        Checks.millis("RELAY_HANDSHAKE_TIMEOUT_MS", handshakeTimeout, 100, 600_000);
        Checks.millis("RELAY_PING_INTERVAL_MS", pingInterval, 100, 3_600_000);
        Checks.millis("RELAY_PRAXIS_HEARTBEAT_MS", praxisHeartbeat, 100, 3_600_000);
        Checks.millis("RELAY_AGENTCRAFT_PING_MS", agentCraftPing, 100, 3_600_000);
        Checks.range("RELAY_AGENTCRAFT_RATE_LIMIT", agentCraftRatePerMinute, 1, 1_000_000);
        jwtSecret = jwtSecret == null ? "" : jwtSecret;
        jwksFile = jwksFile == null ? "" : jwksFile;
        Checks.millis("RELAY_DRAIN_MS", drainTime, 0, 600_000);
        if (!jwtSecret.isEmpty() && jwtSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("RELAY_JWT_SECRET must be at least 32 bytes for HS256");
        }
        boolean hasKey = !jwtSecret.isEmpty() || !jwksFile.isEmpty();
        if (!hasKey && !authDisabled) {
            throw new ConfigException("no key for client tokens: set RELAY_JWT_SECRET or RELAY_JWKS_FILE, or "
                + "RELAY_AUTH_DISABLED=true to let anyone read every channel and send every command");
        }
        if (hasKey && authDisabled) {
            throw new ConfigException("RELAY_AUTH_DISABLED=true contradicts the key in RELAY_JWT_SECRET or "
                + "RELAY_JWKS_FILE; set one or the other");
        }
    }

    /** Whether clients must present a valid token: always, unless {@code RELAY_AUTH_DISABLED=true}. */
    public boolean authEnabled() {
        return !authDisabled;
    }

    @Override
    public String toString() {
        // Keeps the secret out of logs.
        return "RelayConfig[node=" + nodeId + ", port=" + port + ", kafka=" + kafka.bootstrapServers()
            + ", auth=" + authEnabled() + "]";
    }

    /**
     * Reads the settings from environment variables.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @return the settings, defaults filled in
     * @throws ConfigException naming the first bad value
     */
    public static RelayConfig fromEnv(Map<String, String> env) {
        Env vars = new Env(env);
        return new RelayConfig(
            vars.string("RELAY_HOST", DEFAULT_HOST),
            vars.integer("RELAY_PORT", DEFAULT_PORT),
            vars.optionalInteger("RELAY_MANAGEMENT_PORT"),
            vars.string("RELAY_NODE_ID", "relay-" + UUID.randomUUID().toString().substring(0, 8)),
            KafkaSettings.fromEnv(env),
            vars.integer("RELAY_MAX_FRAME_BYTES", DEFAULT_MAX_FRAME_BYTES),
            vars.integer("RELAY_OUTBOX_MESSAGES", DEFAULT_OUTBOX_MESSAGES),
            vars.integer("RELAY_OUTBOX_BYTES", DEFAULT_OUTBOX_BYTES),
            vars.millis("RELAY_COMMAND_TIMEOUT_MS", DEFAULT_COMMAND_TIMEOUT),
            vars.integer("RELAY_IO_THREADS", Runtime.getRuntime().availableProcessors()),
            vars.integer("RELAY_RATE_LIMIT", DEFAULT_RATE_LIMIT),
            vars.integer("RELAY_MAX_SUBSCRIPTIONS", DEFAULT_MAX_SUBSCRIPTIONS),
            vars.integer("RELAY_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS),
            vars.integer("RELAY_MAX_CONNECTIONS_PER_SUBJECT", DEFAULT_MAX_CONNECTIONS_PER_SUBJECT),
            vars.millis("RELAY_HANDSHAKE_TIMEOUT_MS", DEFAULT_HANDSHAKE_TIMEOUT),
            vars.millis("RELAY_PING_INTERVAL_MS", Duration.ofSeconds(30)),
            vars.millis("RELAY_PRAXIS_HEARTBEAT_MS", Duration.ofSeconds(30)),
            vars.millis("RELAY_AGENTCRAFT_PING_MS", Duration.ofSeconds(30)),
            vars.integer("RELAY_AGENTCRAFT_RATE_LIMIT", DEFAULT_AGENTCRAFT_RATE_PER_MINUTE),
            vars.string("RELAY_JWT_SECRET", ""),
            vars.string("RELAY_JWKS_FILE", ""),
            vars.bool("RELAY_AUTH_DISABLED", false),
            vars.millis("RELAY_DRAIN_MS", Duration.ofSeconds(5)));
    }
}

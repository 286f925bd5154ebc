package io.agentrelay.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.runtime.kafka.TopicProvisioner;
import io.agentrelay.runtime.metrics.Metrics;
import io.agentrelay.relay.api.HttpApi;
import io.agentrelay.relay.dialect.agentcraft.AgentCraftDialect;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.dialect.nexus.NexusDialect;
import io.agentrelay.relay.dialect.nexus.PanelStates;
import io.agentrelay.relay.dialect.praxis.PraxisDialect;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.fanout.HistoryReader;
import io.agentrelay.relay.inbound.CommandGateway;
import io.agentrelay.relay.inbound.RequestRouter;
import io.agentrelay.relay.kafka.CommandPublisher;
import io.agentrelay.relay.kafka.KafkaHealth;
import io.agentrelay.relay.server.Dialects;
import io.agentrelay.relay.server.RelayServer;
import io.agentrelay.relay.session.RelayStats;
import io.agentrelay.relay.session.Session;
import io.agentrelay.relay.session.SessionRegistry;
import io.agentrelay.relay.state.EntityDirectory;
import io.agentrelay.relay.state.SessionListings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running relay node, wired from its parts. Closing it stops in the safe order: stop accepting and close the
 * sockets, stop the event consumer, then flush and close the producer.
 */
public final class RelayNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayNode.class);

    private final RelayConfig config;
    private final SessionRegistry sessions;
    private final CommandPublisher publisher;
    private final KafkaHealth health;
    private final EventFanout fanout;
    private final HistoryReader history;
    private final EntityDirectory directory;
    private final SessionListings listings;
    private final Metrics metrics;
    private final RelayServer server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean draining;

    private RelayNode(RelayConfig config, SessionRegistry sessions, CommandPublisher publisher, KafkaHealth health,
                      EventFanout fanout, HistoryReader history, EntityDirectory directory, SessionListings listings,
                      Metrics metrics, RelayServer server, AtomicBoolean draining) {
        this.draining = draining;
        this.config = config;
        this.sessions = sessions;
        this.publisher = publisher;
        this.health = health;
        this.fanout = fanout;
        this.history = history;
        this.directory = directory;
        this.listings = listings;
        this.metrics = metrics;
        this.server = server;
    }

    /**
     * Ensures the topics exist, then starts the event consumer, the command producer and the server.
     *
     * @param config the node's settings
     * @return the running node
     */
    public static RelayNode start(RelayConfig config) {
        Map<String, TopicInfo> topics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            config.kafka().bootstrapServers()))) {
            topics = new TopicProvisioner(admin, config.kafka(), Duration.ofSeconds(30)).ensureTopics();
        }
        Map<String, TopicInfo> eventTopics = topics.entrySet().stream()
            .filter(entry -> config.kafka().topics().namespaceOfEvents(entry.getKey()).isPresent())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

        // Every part started so far is closed again when a later one fails (the port is taken, say): a failed start
        // must not leave consumers, producers and threads behind in the process.
        Deque<AutoCloseable> started = new ArrayDeque<>();
        AtomicBoolean draining = new AtomicBoolean();
        try {
            Metrics metrics = started(started, new Metrics("relay", config.nodeId()));
            RelayStats stats = new RelayStats(metrics.registry());
            SessionRegistry sessions = started(started, new SessionRegistry(config, stats));
            CommandPublisher publisher = started(started, new CommandPublisher(config));
            KafkaHealth health = started(started, new KafkaHealth(config.kafka(), config.nodeId(), publisher));
            EventFanout fanout = started(started, new EventFanout(config.kafka(), eventTopics, config.nodeId(), stats));
            fanout.readerEnded().thenRun(() -> {
                if (!draining.get()) {
                    LOG.error("Relay {} reads no more events and never will in this process: closing its {} "
                        + "connections with 1011 so that they resume elsewhere; /health and /health/live say DOWN, "
                        + "restart it", config.nodeId(), sessions.size());
                    sessions.forEach(Session::closeReaderEnded);
                }
            });
            HistoryReader history = started(started, new HistoryReader(config.kafka(), config.nodeId(), 4));
            CommandGateway commands = new CommandGateway(publisher, stats);
            RequestRouter router = new RequestRouter(fanout, history, commands, stats, config.maxSubscriptions());
            EntityDirectory directory = started(started, new EntityDirectory(config.kafka(), config.nodeId()));
            fanout.start();
            health.start();
            directory.start(Duration.ofSeconds(30));
            SessionListings listings = started(started,
                new SessionListings(config.kafka(), config.nodeId(), sessions, fanout, directory.activeSessions()));
            directory.onSessionsChanged(listings::onSessionsChanged);
            bindGauges(metrics.registry(), sessions, fanout, publisher);
            AgentCraftDialect agentCraft = new AgentCraftDialect(listings::lastQueued, config.agentCraftPing(),
                config.agentCraftRatePerMinute());
            Dialects dialects = new Dialects(new CanonicalDialect(), new PraxisDialect(config.praxisHeartbeat()),
                agentCraft, agentCraft.forReactApp(), new NexusDialect(panelStates(directory, fanout)));
            RelayServer server = RelayServer.start(config, dialects, sessions, fanout, router, publisher, health,
                stats, directory, new HttpApi(commands, directory, config.maxFrameBytes()), metrics, draining::get);
            LOG.info("Relay {} listening on port {}, /health and /metrics on port {} (Kafka {}, topics {}.*)",
                config.nodeId(), server.port(), server.managementPort(), config.kafka().bootstrapServers(),
                config.kafka().topics().prefix());
            return new RelayNode(config, sessions, publisher, health, fanout, history, directory, listings, metrics,
                server, draining);
        } catch (RuntimeException e) {
            // Not a reader that failed: its end here must not be logged as one.
            draining.set(true);
            closeAll(started, e);
            throw e;
        }
    }

    /** A panel's state from the directory, resumed right after the last change it includes. */
    private static PanelStates panelStates(EntityDirectory directory, EventFanout fanout) {
        return panelId -> directory.panel(panelId).map(panel -> new PanelStates.PanelState(panel.state(),
            fanout.locate(Channel.of(Namespace.PANEL, panelId)).position(panel.eventOffset())));
    }

    private static <T extends AutoCloseable> T started(Deque<AutoCloseable> started, T part) {
        started.push(part);
        return part;
    }

    /** Closes the parts of a failed start, the last one first; what fails to close is added to the start's failure. */
    private static void closeAll(Deque<AutoCloseable> started, RuntimeException failure) {
        for (AutoCloseable part : started) {
            try {
                part.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void bindGauges(MeterRegistry registry, SessionRegistry sessions, EventFanout fanout,
                                   CommandPublisher publisher) {
        for (String dialect : List.of("canonical", "praxis", "agentcraft", "agentcraft-app", "nexus")) {
            Gauge.builder("relay.connections", sessions, open -> open.count(dialect)).tag("dialect", dialect)
                .description("connections open now").register(registry);
        }
        Gauge.builder("relay.outbox.frames", sessions, SessionRegistry::queuedFrames)
            .description("frames waiting in every connection's outbox").register(registry);
        Gauge.builder("relay.channels", fanout, EventFanout::channelCount)
            .description("channels with at least one subscriber on this node").register(registry);
        Gauge.builder("relay.commands.circuit.open", publisher,
                commands -> commands.circuitState() == CircuitBreaker.State.CLOSED ? 0 : 1)
            .description("1 while commands are refused because Kafka is unreachable").register(registry);
        fanout.bindMetrics(registry);
        publisher.bindMetrics(registry);
    }

    /** Ends only the node's event reader, as a failed reader would, while the node goes on serving. */
    void stopEventReader() {
        fanout.close();
    }

    /** The port the node listens on. */
    public int port() {
        return server.port();
    }

    /** The port of {@code /health} and {@code /metrics}: {@code RELAY_MANAGEMENT_PORT}, else {@link #port()}. */
    public int managementPort() {
        return server.managementPort();
    }

    /** Stops the node; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Unready first, so that load balancers send new clients elsewhere; then the clients here are told to go.
        draining.set(true);
        if (!config.drainTime().isZero()) {
            LOG.info("Relay {} draining for {} ms", config.nodeId(), config.drainTime().toMillis());
            try {
                Thread.sleep(config.drainTime().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sessions.closeAllGoingAway();
        sessions.close();
        server.close();
        history.close();
        directory.close();
        listings.close();
        fanout.close();
        health.close();
        publisher.close();
        metrics.close();
        LOG.info("Relay {} stopped", config.nodeId());
    }
}

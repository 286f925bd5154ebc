package io.agentrelay.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka node in KRaft mode, running the real broker from the {@code kafka_2.13} artifact inside this JVM: one process
 * that is both controller and broker, listening on loopback ports. {@link #startNew()} gives tests a single-node
 * cluster on free ports with its storage in a temporary directory; {@link #startMember} starts one node of a
 * multi-node cluster (the local fleet), whose storage outlives the process so that a killed node comes back with its
 * data.
 *
 * <p>{@link #stop()} and {@link #start()} take the broker down and bring it back on the same ports with the same data,
 * so tests can watch clients ride out an outage. {@link #close()} stops it and deletes a temporary storage.
 *
 * <p>Not thread-safe: one owner starts and stops it.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final KafkaNode node;
    private final boolean temporary;
    private final KafkaConfig config;
    private KafkaRaftServer server;

    private EmbeddedKafka(KafkaNode node, boolean temporary, Map<String, String> brokerOverrides) {
        this.node = node;
        this.temporary = temporary;
        Properties props = node.brokerProperties(CONTROLLER_LISTENER);
        props.putAll(brokerOverrides);
        this.config = KafkaConfig.fromProps(props);
    }

    /**
     * Formats fresh storage, starts the broker and waits until it answers clients.
     *
     * @return the running broker
     */
    public static EmbeddedKafka startNew() {
        return startNew(Map.of());
    }

    /**
     * Like {@link #startNew()}, with broker settings that replace or add to {@link KafkaNode}'s (a benchmark's
     * variant of one setting).
     *
     * @param brokerOverrides broker properties by name
     * @return the running broker
     */
    public static EmbeddedKafka startNew(Map<String, String> brokerOverrides) {
        int[] ports = freeLoopbackPorts(2);
        return startNew(ports[0], ports[1], brokerOverrides);
    }

    static EmbeddedKafka startNew(int brokerPort, int controllerPort) {
        return startNew(brokerPort, controllerPort, Map.of());
    }

    /**
     * Starts a single-node cluster on the given ports, or on fresh ones when these cannot be bound: a port chosen free
     * can be taken by another process before the broker binds it, and a broker that cannot listen must not fail a test.
     */
    private static EmbeddedKafka startNew(int brokerPort, int controllerPort, Map<String, String> brokerOverrides) {
        for (int attempt = 1; ; attempt++) {
            Path dataDir = createTempDirectory();
            try {
                EmbeddedKafka kafka = new EmbeddedKafka(KafkaNode.single(dataDir, brokerPort, controllerPort), true,
                    brokerOverrides);
                kafka.format();
                kafka.start();
                return kafka;
            } catch (RuntimeException e) {
                deleteQuietly(dataDir);
                if (attempt == START_ATTEMPTS || !isPortConflict(e)) {
                    throw e;
                }
                LOG.warn("Embedded Kafka could not listen on ports {} and {}, trying fresh ones: {}", brokerPort,
                    controllerPort, e.toString());
                int[] ports = freeLoopbackPorts(2);
                brokerPort = ports[0];
                controllerPort = ports[1];
            }
        }
    }

    /**
     * Starts one node of a multi-node cluster, formatting its storage only the first time, and waits until the cluster
     * answers clients (which needs a majority of the voters running).
     *
     * @param node            the node's id, ports, peers and storage
     * @param brokerOverrides broker properties by name that replace or add to the node's
     * @return the running node
     */
    public static EmbeddedKafka startMember(KafkaNode node, Map<String, String> brokerOverrides) {
        EmbeddedKafka kafka = new EmbeddedKafka(node, false, brokerOverrides);
        if (!Files.exists(Path.of(kafka.config.metadataLogDir(), "meta.properties"))) {
            kafka.format();
        }
        kafka.start();
        return kafka;
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return "127.0.0.1:" + node.brokerPort();
    }

    /** Whether the broker is running. */
    public boolean isRunning() {
        return server != null;
    }

    /** Starts the broker on its ports and storage, and waits until it answers a metadata request. */
    public void start() {
        if (server != null) {
            return;
        }
        long started = System.nanoTime();
        KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            raftServer.startup();
        } catch (RuntimeException e) {
            // A half-started server keeps its threads and the ports it did bind until it is shut down.
            raftServer.shutdown();
            raftServer.awaitShutdown();
            throw e;
        }
        server = raftServer;
        awaitReady();
        LOG.info("Embedded Kafka ready at {} in {} ms", bootstrapServers(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Stops the broker and keeps its storage, so that {@link #start()} brings the same cluster back. */
    public void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer running = server;
        server = null;
        running.shutdown();
        running.awaitShutdown();
        LOG.info("Embedded Kafka at {} stopped", bootstrapServers());
    }

    /** Stops the broker and deletes its storage if it was temporary. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (temporary) {
                deleteQuietly(node.dataDir());
            }
        }
    }

    private void format() {
        Formatter formatter = new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
            .setNodeId(node.nodeId())
            .setClusterId(node.clusterId())
            .setDirectories(List.of(config.metadataLogDir()))
            .setMetadataLogDirectory(config.metadataLogDir())
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the embedded Kafka storage at " + node.dataDir(), e);
        }
    }

    private void awaitReady() {
        Map<String, Object> adminConfig = Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(adminConfig)) {
            admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka broker did not become ready at " + bootstrapServers(), e);
        }
    }

    /**
     * Distinct free ports on the loopback interface. Every socket stays bound until all are chosen, so the system
     * cannot hand out the same port twice.
     *
     * @param count how many ports
     * @return the ports
     */
    static int[] freeLoopbackPorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports", e);
        } finally {
            sockets.forEach(EmbeddedKafka::closeQuietly);
        }
    }

    private static boolean isPortConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof BindException || message.contains("failed to bind")
                || message.contains("two listeners on the same port")) {
                return true;
            }
        }
        return false;
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("agent-relay-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka storage", e);
        }
    }

    private static void deleteQuietly(Path dataDir) {
        try {
            Utils.delete(dataDir.toFile());
        } catch (IOException e) {
            LOG.warn("Could not delete the embedded Kafka storage at {}", dataDir, e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Could not close a port probe", e);
        }
    }
}

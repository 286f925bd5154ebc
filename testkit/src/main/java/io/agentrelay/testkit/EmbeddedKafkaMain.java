package io.agentrelay.testkit;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafka} broker as a process of its own: without arguments a single-node cluster with temporary
 * storage (the one-command local run), or with the options below one node of a multi-node cluster (the local fleet).
 *
 * <pre>
 * EmbeddedKafkaMain --node-id 1 --cluster-id &lt;uuid&gt; --port 19092 --controller-port 19093 \
 *     --voters 1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097 --data-dir fleet/kafka-1 \
 *     [--replication-factor 3] [--min-insync-replicas 2]
 * </pre>
 *
 * <p>{@code KAFKA_BROKER_PROPERTIES} in the environment ({@code name=value} pairs separated by commas) replaces or adds
 * broker settings, so that a benchmark can measure a variant of one.
 *
 * <p>Prints {@code KAFKA_BOOTSTRAP_SERVERS=<host:port>} on standard output once the broker answers clients, then runs
 * until the process is asked to stop (SIGINT or SIGTERM), when it stops the broker; a single node's temporary storage
 * is deleted then, a cluster node's is kept.
 */
public final class EmbeddedKafkaMain {

    private static final Set<String> OPTIONS = Set.of("--node-id", "--cluster-id", "--port", "--controller-port",
        "--voters", "--data-dir", "--replication-factor", "--min-insync-replicas");

    private EmbeddedKafkaMain() {
    }

    /**
     * Starts the broker and blocks until shutdown.
     *
     * @param args none, or the options of a cluster node
     * @throws InterruptedException if interrupted while waiting for shutdown
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka kafka;
        try {
            Map<String, String> overrides = brokerProperties(System.getenv().getOrDefault("KAFKA_BROKER_PROPERTIES", ""));
            kafka = args.length == 0 ? EmbeddedKafka.startNew(overrides)
                : EmbeddedKafka.startMember(node(options(args)), overrides);
        } catch (IllegalArgumentException e) {
            System.err.println("EmbeddedKafkaMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "embedded-kafka-shutdown"));
        System.out.println("KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!OPTIONS.contains(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("expected one of " + OPTIONS + " with a value, got '" + args[i] + "'");
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static Map<String, String> brokerProperties(String pairs) {
        Map<String, String> properties = new HashMap<>();
        for (String pair : pairs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("KAFKA_BROKER_PROPERTIES: expected name=value, got '" + pair + "'");
            }
            properties.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return properties;
    }

    private static KafkaNode node(Map<String, String> options) {
        int replicas = Integer.parseInt(options.getOrDefault("--replication-factor", "3"));
        return new KafkaNode(
            Integer.parseInt(required(options, "--node-id")),
            required(options, "--cluster-id"),
            Integer.parseInt(required(options, "--port")),
            Integer.parseInt(required(options, "--controller-port")),
            required(options, "--voters"),
            Path.of(required(options, "--data-dir")),
            replicas,
            Integer.parseInt(options.getOrDefault("--min-insync-replicas", String.valueOf(Math.min(2, replicas)))));
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required for a cluster node");
        }
        return value;
    }
}

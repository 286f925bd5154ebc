package io.agentrelay.relay.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.agentrelay.runtime.config.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Kafka for its cluster description every {@value #INTERVAL_MS} ms. The answer decides readiness, and a missing
 * answer opens the command circuit at once, before clients' commands pile up waiting for the timeout.
 */
public final class KafkaHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaHealth.class);
    private static final long INTERVAL_MS = 1_000;
    private static final int PROBE_TIMEOUT_MS = 2_000;

    private final Admin admin;
    private final CommandPublisher publisher;
    private final ScheduledExecutorService probe;
    private volatile boolean reachable = true;

    /**
     * @param settings  how to reach Kafka
     * @param nodeId    this node's id, in thread and client names
     * @param publisher told when Kafka stops answering
     */
    public KafkaHealth(KafkaSettings settings, String nodeId, CommandPublisher publisher) {
        this.publisher = publisher;
        this.admin = Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            AdminClientConfig.CLIENT_ID_CONFIG, nodeId + "-health",
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS));
        this.probe = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kafka-health-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts probing. */
    public void start() {
        probe.scheduleWithFixedDelay(this::check, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Whether Kafka answered the last probe. */
    public boolean isReachable() {
        return reachable;
    }

    @Override
    public void close() {
        probe.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }

    private void check() {
        boolean ok;
        try {
            ok = !admin.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).nodes()
                .get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            // Open the circuit before readiness says DOWN, so that nobody who saw DOWN can still wait on Kafka.
            publisher.kafkaUnreachable();
        } else {
            publisher.kafkaReachable();
        }
        if (ok != reachable) {
            LOG.info("Kafka is {}", ok ? "reachable again" : "unreachable");
        }
        reachable = ok;
    }
}

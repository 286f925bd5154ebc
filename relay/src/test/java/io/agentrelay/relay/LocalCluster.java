package io.agentrelay.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.executor.consume.ExecutorNode;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.TopicPrefix;

/**
 * Relay nodes and one executor on a test's own topic prefix, configured the way production is: through the
 * environment variables of {@link RelayConfig} and {@link ExecutorConfig}.
 */
final class LocalCluster implements AutoCloseable {

    private final List<RelayNode> relays = new ArrayList<>();
    private final List<RelayConnection> clients = new ArrayList<>();
    private final List<ExecutorNode> executors = new ArrayList<>();
    private final Map<String, String> env;
    private final TopicPrefix prefix;
    private final Path sandbox;

    private LocalCluster(Map<String, String> env, TopicPrefix prefix, Path sandbox, int relayCount) {
        this.env = env;
        this.prefix = prefix;
        this.sandbox = sandbox;
        startExecutor("executor-0");
        for (int i = 0; i < relayCount; i++) {
            relays.add(startRelay(i, 0));
        }
    }

    private RelayNode startRelay(int relay, int port) {
        Map<String, String> relayEnv = new HashMap<>(env);
        relayEnv.put("RELAY_NODE_ID", "relay-" + relay);
        relayEnv.put("RELAY_PORT", String.valueOf(port));
        return RelayNode.start(RelayConfig.fromEnv(relayEnv));
    }

    static LocalCluster start(EmbeddedKafka kafka, TopicPrefix prefix, Path sandbox, int relayCount) {
        return start(kafka.bootstrapServers(), prefix, sandbox, relayCount, Map.of());
    }

    static LocalCluster start(String bootstrapServers, TopicPrefix prefix, Path sandbox, int relayCount,
                              Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
            "RELAY_TOPIC_PREFIX", prefix.value(),
            "RELAY_TOPIC_PARTITIONS", "3",
            "RELAY_HOST", "127.0.0.1",
            "RELAY_PORT", "0",
            "EXECUTOR_GROUP_ID", prefix.value() + "-executors",
            "EXECUTOR_SANDBOX_DIR", sandbox.toString(),
            "EXECUTOR_NODE_TIMEOUT_MS", "5000",
            "EXECUTOR_POOL_ID", prefix.value(),
            "EXECUTOR_HEARTBEAT_MS", "250"));
        env.put("EXECUTOR_METRICS_PORT", "0");
        // Tests close relays often; the drain before closing is tested on its own.
        env.put("RELAY_DRAIN_MS", "0");
        // Tests without a key of their own run the relays open, as the local run does.
        if (!overrides.containsKey("RELAY_JWT_SECRET") && !overrides.containsKey("RELAY_JWKS_FILE")) {
            env.put("RELAY_AUTH_DISABLED", "true");
        }
        env.putAll(overrides);
        return new LocalCluster(env, prefix, sandbox, relayCount);
    }

    /** Starts one more executor of the same pool and group. */
    ExecutorNode startExecutor(String workerId) {
        Map<String, String> executorEnv = new HashMap<>(env);
        executorEnv.put("EXECUTOR_WORKER_ID", workerId);
        ExecutorNode executor = ExecutorNode.start(ExecutorConfig.fromEnv(executorEnv), ToolRegistry.withPlugins());
        executors.add(executor);
        return executor;
    }

    /** An executor, in the order started. */
    ExecutorNode executor(int index) {
        return executors.get(index);
    }

    /** The cluster's topic prefix. */
    TopicPrefix prefix() {
        return prefix;
    }

    /** The directory the executors' file tools work in. */
    Path sandbox() {
        return sandbox;
    }

    /** The pool the executors belong to: the test's own. */
    String poolId() {
        return env.get("EXECUTOR_POOL_ID");
    }

    URI webSocket(int relay) {
        return URI.create("ws://127.0.0.1:" + relays.get(relay).port() + "/ws");
    }

    URI http(int relay, String path) {
        return URI.create("http://127.0.0.1:" + relays.get(relay).port() + path);
    }

    RelayNode relay(int relay) {
        return relays.get(relay);
    }

    /**
     * Stops a relay node, runs {@code whileStopped}, and starts the node again on the same port, as a deploy that
     * restarts it in place does: its clients lose their connections and find it again at the same address.
     */
    void restartRelay(int relay, Runnable whileStopped) {
        int port = relays.get(relay).port();
        relays.get(relay).close();
        whileStopped.run();
        relays.set(relay, startRelay(relay, port));
    }

    /**
     * Starts one more relay node with settings of its own, such as a lower limit than the others.
     *
     * @return its index
     */
    int addRelay(Map<String, String> overrides) {
        Map<String, String> relayEnv = new HashMap<>(env);
        relayEnv.putAll(overrides);
        relayEnv.put("RELAY_NODE_ID", "relay-" + relays.size());
        relays.add(RelayNode.start(RelayConfig.fromEnv(relayEnv)));
        return relays.size() - 1;
    }

    /** A client of one relay node, closed with the cluster. */
    RelayConnection connect(int relay) {
        try {
            RelayConnection client = RelayConnection.connect(webSocket(relay), Duration.ofSeconds(10));
            clients.add(client);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        clients.forEach(RelayConnection::close);
        relays.forEach(RelayNode::close);
        executors.forEach(ExecutorNode::close);
    }
}

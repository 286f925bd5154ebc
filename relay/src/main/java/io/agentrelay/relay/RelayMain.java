package io.agentrelay.relay;

import java.util.concurrent.CountDownLatch;

import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.relay.config.RelayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a relay node configured by environment variables and runs it until SIGINT or SIGTERM. */
public final class RelayMain {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMain.class);

    private RelayMain() {
    }

    /**
     * @param args ignored; configuration comes from the environment
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        RelayConfig config;
        try {
            config = RelayConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println("agent-relay relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        RelayNode node = RelayNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping relay {}", config.nodeId());
            node.close();
            stopped.countDown();
        }, "relay-shutdown"));
        stopped.await();
    }
}

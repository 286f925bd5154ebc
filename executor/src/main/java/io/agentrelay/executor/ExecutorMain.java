package io.agentrelay.executor;

import java.util.concurrent.CountDownLatch;

import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.executor.consume.ExecutorNode;
import io.agentrelay.executor.mcp.McpConfig;
import io.agentrelay.executor.mcp.McpTools;
import io.agentrelay.executor.tool.ToolRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts an executor configured by environment variables and runs it until SIGINT or SIGTERM. */
public final class ExecutorMain {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorMain.class);

    private ExecutorMain() {
    }

    /**
     * @param args ignored; configuration comes from the environment
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        ExecutorConfig config;
        McpConfig mcp;
        try {
            config = ExecutorConfig.fromEnv(System.getenv());
            mcp = McpConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println("agent-relay executor: " + e.getMessage());
            System.exit(2);
            return;
        }
        McpTools mcpTools = McpTools.start(mcp, config.nodeTimeout(), config.maxOutputBytes());
        ExecutorNode node;
        try {
            node = ExecutorNode.start(config, ToolRegistry.withPlugins(mcpTools));
        } catch (RuntimeException e) {
            // Threads started before the failure must not keep a process alive that does nothing.
            LOG.error("Executor {} failed to start: {}", config.workerId(), e.toString(), e);
            mcpTools.close();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping executor {}", config.workerId());
            node.close();
            mcpTools.close();
            stopped.countDown();
        }, "executor-shutdown"));
        stopped.await();
    }
}

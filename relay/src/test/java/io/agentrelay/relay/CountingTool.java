package io.agentrelay.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;

/**
 * {@code count {ms}}: works for a while, then counts that it completed, per workflow and node, across every executor
 * of the test's JVM. Tests read the counts to prove that no completed node ran twice.
 */
public final class CountingTool implements Tool {

    private static final Map<String, Integer> COMPLETED = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "count";
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws InterruptedException {
        Thread.sleep(params.path("ms").asLong(50));
        COMPLETED.merge(context.workflowId() + "/" + context.nodeId(), 1, Integer::sum);
        return Json.object().put("counted", true);
    }

    /** How many times a node's run completed. */
    static int completions(String workflowId, String nodeId) {
        return COMPLETED.getOrDefault(workflowId + "/" + nodeId, 0);
    }
}

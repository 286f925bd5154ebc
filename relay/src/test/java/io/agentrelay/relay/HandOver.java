package io.agentrelay.relay;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;

/**
 * A workflow handed over mid-run: executor-0 starts {@code wait} (a 3 s sleep, then {@code after}), executor-1 joins,
 * executor-0 dies mid-node, and executor-1 runs {@code wait} again and completes the workflow. What the debugging
 * tools must show as a hand-over.
 */
final class HandOver {

    /** Executor settings under which a dead executor's open transaction is aborted in 2 s, not 10. */
    static final Map<String, String> QUICK = Map.of("EXECUTOR_TRANSACTION_TIMEOUT_MS", "2000");

    private HandOver() {
    }

    /**
     * Runs the workflow to its end on a cluster of one executor started with {@link #QUICK}.
     *
     * @param cluster    the cluster; its executor 0 is aborted, an executor-1 started
     * @param workflowId the workflow's id
     */
    static void run(LocalCluster cluster, String workflowId) throws Exception {
        String channel = "workflow:" + workflowId;
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        workflow.putArray("nodes").add(Workflows.node("wait", "sleep", Json.object().put("ms", 3000)))
            .add(Workflows.node("after", "echo", Json.object().put("message", "done")));
        workflow.putArray("edges").add(Workflows.edge("wait", "after"));
        try (RelayConnection client = cluster.connect(0)) {
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe(channel).get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> frames.eventNames(channel).contains("node.started"));

            cluster.startExecutor("executor-1");
            cluster.executor(0).abort();
            await().atMost(Duration.ofSeconds(90))
                .until(() -> frames.eventNames(channel).contains("workflow.completed"));
        }
    }
}

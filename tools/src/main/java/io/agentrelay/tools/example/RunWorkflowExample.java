package io.agentrelay.tools.example;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.ChannelHandler;
import io.agentrelay.client.RelayClient;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;

/**
 * Runs a two-step workflow through a relay and prints its events, surviving relay restarts on the way.
 *
 * <pre>
 * scripts/run &amp;
 * java -cp tools/target/agent-relay-tools-0.1.0-SNAPSHOT-all.jar \
 *     io.agentrelay.tools.example.RunWorkflowExample ws://127.0.0.1:8080/ws
 * </pre>
 */
public final class RunWorkflowExample {

    /** The events that end a workflow; others ({@code workflow.log}, {@code node.*}) come and go while it runs. */
    private static final Set<String> ENDINGS = Set.of("workflow.completed", "workflow.failed", "workflow.cancelled",
        "workflow.refused");

    private RunWorkflowExample() {
    }

    /**
     * @param args relay endpoints; default {@code ws://127.0.0.1:8080/ws}
     * @throws Exception when the relay cannot be reached or the workflow does not finish in a minute
     */
    public static void main(String[] args) throws Exception {
        List<URI> endpoints = args.length == 0
            ? List.of(URI.create("ws://127.0.0.1:8080/ws"))
            : List.of(args).stream().map(URI::create).toList();
        String workflowId = "example-" + System.currentTimeMillis();
        CountDownLatch finished = new CountDownLatch(1);

        try (RelayClient client = RelayClient.builder().endpoints(endpoints).requestTimeout(Duration.ofSeconds(5))
            .build()) {
            client.connect();
            client.subscribe("workflow:" + workflowId, new ChannelHandler() {
                @Override
                public void onEvent(Envelope event) {
                    System.out.println(event.event() + " " + event.data());
                    if (ENDINGS.contains(event.event())) {
                        finished.countDown();
                    }
                }

                @Override
                public void onResumed(boolean recovered, String reason) {
                    System.out.println(recovered ? "-- reconnected, nothing lost" : "-- reconnected: " + reason);
                }
            }).get(5, TimeUnit.SECONDS);

            Envelope accepted = client.request("execute_workflow", workflow(workflowId)).get(5, TimeUnit.SECONDS);
            System.out.println("accepted as command " + accepted.data().path("command_id").asText());
            if (!finished.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("workflow " + workflowId + " did not finish within a minute");
            }
        }
    }

    private static ObjectNode workflow(String workflowId) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        ArrayNode nodes = workflow.putArray("nodes");
        nodes.addObject().put("id", "greet").put("tool", "echo").putObject("params").put("message", "hello");
        nodes.addObject().put("id", "wait").put("tool", "sleep").putObject("params").put("ms", 500);
        workflow.putArray("edges").addObject().put("from", "greet").put("to", "wait");
        return workflow;
    }
}

package io.agentrelay.tools.bench;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayClient;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay bench first-event}: what a dashboard user waits for after pressing "run". One client, one workflow at
 * a time, each on a channel nobody watched before: subscribe to {@code workflow:<new id>}, then
 * {@code execute_workflow} of a one-node echo workflow, then unsubscribe once it completed. Before each workflow the
 * same two Kafka hops are measured alone ({@link TwoHopFloor}), so that every figure has its floor from the same run.
 */
@Command(name = "first-event", mixinStandardHelpOptions = true,
    description = "One client starting one-node workflows one after another, each on a fresh channel; reports "
        + "accepted, first event and completed against the two-hop Kafka floor measured in the same run.")
final class FirstEventCommand implements Callable<Integer> {

    private static final long TIMEOUT_SECONDS = 30;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/ws", description = "Relay (${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--runs", defaultValue = "40", description = "Measured workflows (${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup-runs", defaultValue = "5", description = "Workflows before measuring.")
    int warmupRuns;

    @Option(names = "--hold-global", description = "A second client holds a global subscription meanwhile, so that "
        + "the relay reads every partition all along.")
    boolean holdGlobal;

    @Option(names = "--metrics", paramLabel = "URL", description = "A /metrics endpoint (relay, executor), "
        + "scraped after the warm-up and at the end for the time per stage; repeat for each.")
    List<URI> metrics;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    private final Histogram accepted = FloorFigures.histogram();
    private final Histogram firstEvent = FloorFigures.histogram();
    private final Histogram completed = FloorFigures.histogram();
    private final FloorFigures floor = new FloorFigures();
    private StageWindow stages;

    @Override
    public Integer call() throws Exception {
        try (TwoHopFloor twoHops = new TwoHopFloor(kafka);
             RelayClient client = RelayClient.builder().endpoints(List.of(url)).build();
             RelayClient global = holdGlobal ? RelayClient.builder().endpoints(List.of(url)).build() : null) {
            client.connect();
            if (global != null) {
                global.connect();
                global.subscribe("global", event -> { }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            for (int run = 0; run < warmupRuns + runs; run++) {
                boolean measured = run >= warmupRuns;
                if (run == warmupRuns && metrics != null) {
                    stages = StageWindow.open(metrics);
                }
                TwoHopFloor.Hops hops = twoHops.sample();
                if (measured) {
                    floor.record(hops);
                }
                runWorkflow(client, measured);
            }
        }
        report();
        return 0;
    }

    private void runWorkflow(RelayClient client, boolean measured) throws Exception {
        String id = "first-" + UUID.randomUUID().toString().substring(0, 12);
        String channel = "workflow:" + id;
        CompletableFuture<Long> first = new CompletableFuture<>();
        CompletableFuture<Long> done = new CompletableFuture<>();
        client.subscribe(channel, event -> {
            long now = System.nanoTime();
            first.complete(now);
            if (event.event().equals("workflow.completed") || event.event().equals("workflow.failed")) {
                done.complete(now);
            }
        }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ObjectNode workflow = Json.object().put("workflow_id", id);
        workflow.putArray("nodes").addObject().put("id", "only").put("tool", "echo")
            .putObject("params").put("message", "first event");
        long sent = System.nanoTime();
        CompletableFuture<Long> answered = client.request("execute_workflow", workflow).thenApply(answer -> {
            long now = System.nanoTime();
            if (!"accepted".equals(status(answer))) {
                throw new IllegalStateException("execute_workflow was not accepted: " + answer);
            }
            return now;
        });
        long acceptedAt = answered.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long firstAt = first.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long doneAt = done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client.unsubscribe(channel).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (measured) {
            accepted.recordValue(FloorFigures.micros(acceptedAt - sent));
            firstEvent.recordValue(FloorFigures.micros(firstAt - sent));
            completed.recordValue(FloorFigures.micros(doneAt - sent));
        }
    }

    private static String status(Envelope answer) {
        return answer.data() == null ? null : answer.data().path("status").asText(null);
    }

    private void report() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%n== first event: %d workflows one after another, each on a fresh channel, at %s%s ==%n", runs,
            url, holdGlobal ? ", while another client holds global" : "");
        Map<String, Histogram> figures = new LinkedHashMap<>();
        figures.put("accepted", accepted);
        figures.put("first event", firstEvent);
        figures.put("completed", completed);
        figures.forEach((name, h) -> FloorFigures.row(out, name, h));
        floor.print(out, figures);
        FloorFigures.completedOverFirstEvent(out, completed, firstEvent);
        out.printf("  %-24s relay %s%n", "command",
            String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        out.flush();
        ObjectNode root = Json.object().put("label", "first-event").put("hold_global", holdGlobal);
        root.set("accepted_ms", LoadReport.percentiles(accepted));
        root.set("first_event_ms", LoadReport.percentiles(firstEvent));
        root.set("completed_ms", LoadReport.percentiles(completed));
        floor.addTo(root);
        if (json != null) {
            Files.write(json, Json.toBytes(root));
        }
        if (stages != null) {
            stages.print(out, "first event, one workflow after another" + (holdGlobal ? ", global held" : ""), root);
        }
    }
}

package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors that die, join, cancel and see commands again: work continues on the new owner from its last committed
 * step, clients see each event once and in order, and no completed node runs again.
 *
 * <p>Each test has a broker of its own: killed executors leave transactions open on it. A thread dump is printed if a
 * request times out: in full runs one client following all 200 workflows once stopped receiving for over a minute
 * while every relay thread sat idle (never in isolation).
 */
class ExecutorRecoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path sandbox;

    private LocalCluster cluster;
    private long slowestAck;

    private EmbeddedKafka kafka;

    @BeforeEach
    void start() {
        kafka = EmbeddedKafka.startNew();
        TopicPrefix prefix = KafkaExtension.uniquePrefix();
        // A killed executor's open transaction blocks its partitions until the broker aborts it: keep that short.
        // One client follows hundreds of workflows on a shared 2-core machine: give it room, so that a slow test
        // client is not what the test measures.
        // The cancel test's node runs 12 s, past LocalCluster's 5 s node timeout: the executor's default here.
        cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1, Map.of(
            "EXECUTOR_TRANSACTION_TIMEOUT_MS", "2000", "EXECUTOR_THREADS", "8", "EXECUTOR_NODE_TIMEOUT_MS", "30000",
            "RELAY_OUTBOX_MESSAGES", "100000", "RELAY_OUTBOX_BYTES", String.valueOf(256 * 1024 * 1024)));
    }

    @AfterEach
    void stop() {
        try {
            cluster.close();
        } finally {
            kafka.close();
        }
    }

    @Test
    void shouldCompleteEveryWorkflowExactlyOnceWhenAnExecutorIsKilledMidway() throws Exception {
        cluster.startExecutor("executor-1");
        cluster.startExecutor("executor-2");
        // Four clients share the 200 workflows, as a dashboard fleet would; one JDK WebSocket client following all
        // of them has been seen to stop receiving in full test runs while the relay sat idle.
        Frames frames = new Frames();
        List<RelayConnection> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RelayConnection client = RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(60));
            client.addListener(frames);
            clients.add(client);
        }
        String run = prefixOf(cluster);

        List<String> workflows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            workflows.add(run + "-wf-" + i);
        }
        for (String workflowId : workflows.subList(0, 120)) {
            int index = workflows.indexOf(workflowId);
            start(clients.get(index % clients.size()), workflowId, index);
        }
        await().atMost(WAIT).until(() -> completed(frames, workflows) >= 30);

        long killedAt = frames.all().size();
        cluster.executor(1).abort();
        cluster.startExecutor("executor-3");
        for (String workflowId : workflows.subList(120, 200)) {
            int index = workflows.indexOf(workflowId);
            start(clients.get(index % clients.size()), workflowId, index);
        }

        await().atMost(WAIT).until(() -> completed(frames, workflows) == workflows.size());
        System.out.printf("Executor killed midway: %d workflows completed; slowest acknowledgement %d ms%n",
            workflows.size(), slowestAck);
        clients.forEach(RelayConnection::close);
        List<Envelope> beforeKill = frames.all().subList(0, (int) killedAt);
        for (String workflowId : workflows) {
            String channel = "workflow:" + workflowId;
            List<Envelope> events = frames.events(channel);
            assertThat(events).extracting(e -> Position.decode(e.pos()).offset())
                .as("%s: each event once, in order", workflowId).isSorted().doesNotHaveDuplicates();
            assertThat(events).extracting(Envelope::id).doesNotHaveDuplicates();
            assertThat(events).extracting(Envelope::event).as(workflowId)
                .containsOnlyOnce("workflow.started", "workflow.completed").doesNotContain("workflow.failed");
            Set<String> completedNodes = new HashSet<>();
            for (Envelope event : events) {
                if (event.event().equals("node.completed")) {
                    assertThat(completedNodes.add(event.data().path("node_id").asText()))
                        .as("%s: node %s completed once", workflowId, event.data().path("node_id").asText()).isTrue();
                }
            }
            for (Envelope event : beforeKill) {
                if (channel.equals(event.room()) && event.event().equals("node.completed")) {
                    String node = event.data().path("node_id").asText();
                    assertThat(CountingTool.completions(workflowId, node))
                        .as("%s/%s completed before the kill and never ran again", workflowId, node).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void shouldLoseNoWorkflowThroughARollingRestartUnderSteadyLoad() throws Exception {
        cluster.startExecutor("executor-1");
        cluster.startExecutor("executor-2");
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        client.addListener(frames);
        client.addListener(frame -> arrivals.add(System.nanoTime()));
        String run = prefixOf(cluster);
        List<String> workflows = new CopyOnWriteArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        try {
            load.scheduleAtFixedRate(() -> {
                String workflowId = run + "-steady-" + sent.getAndIncrement();
                try {
                    client.subscribe("workflow:" + workflowId).get(10, TimeUnit.SECONDS);
                    client.request("execute_workflow", chain(workflowId, 2)).get(10, TimeUnit.SECONDS);
                    workflows.add(workflowId);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(WAIT).until(() -> completed(frames, workflows) >= 10);

            long restartStarted = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                cluster.executor(i).close();
                cluster.startExecutor("executor-" + (i + 3));
            }
            long restartEnded = System.nanoTime();
            long afterRestart = completed(frames, workflows);
            await("new workflows complete after the restart").atMost(WAIT)
                .until(() -> completed(frames, workflows) >= afterRestart + 10);
            load.shutdown();
            assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).until(() -> completed(frames, workflows) == workflows.size());

            for (String workflowId : workflows) {
                assertThat(frames.events("workflow:" + workflowId)).extracting(Envelope::event).as(workflowId)
                    .containsOnlyOnce("workflow.started", "workflow.completed").doesNotContain("workflow.failed");
            }
            long longestPause = 0;
            List<Long> during = arrivals.stream().filter(t -> t >= restartStarted && t <= restartEnded).sorted()
                .toList();
            for (int i = 1; i < during.size(); i++) {
                longestPause = Math.max(longestPause, during.get(i) - during.get(i - 1));
            }
            long pauseMs = TimeUnit.NANOSECONDS.toMillis(longestPause);
            System.out.printf("Rolling restart of 3 executors: %d workflows, restart took %d ms, longest pause "
                + "between frames %d ms%n", workflows.size(),
                TimeUnit.NANOSECONDS.toMillis(restartEnded - restartStarted), pauseMs);
            assertThat(pauseMs).as("the longest pause a client saw").isLessThan(15_000);
        } finally {
            load.shutdownNow();
        }
    }

    @Test
    void shouldCarryOutARetriedCommandOnce() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        String workflowId = prefixOf(cluster) + "-retried";
        client.subscribe("workflow:" + workflowId).get(10, TimeUnit.SECONDS);
        ObjectNode request = Json.object().put("id", "retry-me").put("type", "request").put("event", "execute_workflow");
        request.set("data", chain(workflowId, 1));

        client.sendText(Json.toText(request)).get(10, TimeUnit.SECONDS);
        client.sendText(Json.toText(request)).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> frames.eventNames("workflow:" + workflowId).contains("workflow.completed"));
        await().atMost(WAIT).until(() -> frames.ofType(Envelope.RESPONSE).stream()
            .filter(r -> "retry-me".equals(r.correlationId())).count() == 2);
        assertThat(frames.ofType(Envelope.RESPONSE)).filteredOn(r -> "retry-me".equals(r.correlationId()))
            .extracting(r -> r.data().path("command_id").asText()).as("one command id for both").containsOnly(
                frames.ofType(Envelope.RESPONSE).stream().filter(r -> "retry-me".equals(r.correlationId()))
                    .findFirst().orElseThrow().data().path("command_id").asText());
        assertThat(frames.ofType(Envelope.ERROR)).isEmpty();
        assertThat(frames.eventNames("workflow:" + workflowId)).containsOnlyOnce("workflow.started");
        assertThat(CountingTool.completions(workflowId, "step-0")).isEqualTo(1);
    }

    @Test
    void shouldCarryOutARetriedCommandThatNamesNoWorkflowOnce() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        ObjectNode data = chain("named-by-the-relay", 1);
        data.remove("workflow_id");
        ObjectNode request = Json.object().put("id", "retry-unnamed").put("type", "request")
            .put("event", "execute_workflow");
        request.set("data", data);

        client.sendText(Json.toText(request)).get(10, TimeUnit.SECONDS);
        client.sendText(Json.toText(request)).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> frames.ofType(Envelope.RESPONSE).stream()
            .filter(r -> "retry-unnamed".equals(r.correlationId())).count() == 2);
        List<String> named = frames.ofType(Envelope.RESPONSE).stream()
            .filter(r -> "retry-unnamed".equals(r.correlationId()))
            .map(r -> r.data().path("workflow_id").asText()).toList();
        assertThat(named).as("the workflow the relay names for the request and for its retry").hasSize(2)
            .containsOnly(named.get(0));
        await().atMost(WAIT).until(() -> CountingTool.completions(named.get(0), "step-0") == 1);
        assertThat(frames.ofType(Envelope.ERROR)).isEmpty();
    }

    @Test
    void shouldCancelAWorkflowByInterruptingItsLongNode() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        String workflowId = prefixOf(cluster) + "-cancelled";
        String channel = "workflow:" + workflowId;
        client.subscribe(channel).get(10, TimeUnit.SECONDS);
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        // Far longer than a cancel takes, also with the suite's two test JVMs on two cores: the bound below tells a
        // node interrupted at once from one that ran out, with seconds to spare on either side.
        workflow.putArray("nodes").add(Workflows.node("long", "count", Json.object().put("ms", 12_000)));
        client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames(channel).contains("node.started"));

        long asked = System.nanoTime();
        client.request("cancel_workflow", Json.object().put("workflow_id", workflowId)).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> frames.eventNames(channel).contains("workflow.cancelled"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)).as("well before the node would end")
            .isLessThan(8_000);
        assertThat(frames.events(channel).get(frames.events(channel).size() - 1).data().path("reason").asText())
            .startsWith("cancelled by");
        assertThat(frames.eventNames(channel)).doesNotContain("node.completed", "workflow.completed");
        assertThat(CountingTool.completions(workflowId, "long")).as("the tool was interrupted").isZero();
    }

    private void start(RelayConnection client, String workflowId, int index) throws Exception {
        try {
            send(client, workflowId, index);
        } catch (TimeoutException e) {
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                System.out.println("Thread " + thread.getName() + " " + thread.getState());
                for (StackTraceElement frame : stack) {
                    System.out.println("    at " + frame);
                }
            });
            throw e;
        }
    }

    private void send(RelayConnection client, String workflowId, int index) throws Exception {
        long asked = System.nanoTime();
        client.subscribe("workflow:" + workflowId).get(60, TimeUnit.SECONDS);
        ObjectNode workflow = switch (index % 3) {
            case 0 -> chain(workflowId, 3);
            case 1 -> diamond(workflowId);
            default -> chain(workflowId, 1);
        };
        client.request("execute_workflow", workflow).get(60, TimeUnit.SECONDS);
        slowestAck = Math.max(slowestAck, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
    }

    private static ObjectNode chain(String workflowId, int length) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        ArrayNode nodes = workflow.putArray("nodes");
        ArrayNode edges = workflow.putArray("edges");
        for (int i = 0; i < length; i++) {
            nodes.add(Workflows.node("step-" + i, "count", Json.object().put("ms", 60)));
            if (i > 0) {
                edges.addObject().put("from", "step-" + (i - 1)).put("to", "step-" + i);
            }
        }
        return workflow;
    }

    private static ObjectNode diamond(String workflowId) {
        ObjectNode workflow = Json.object().put("workflow_id", workflowId);
        ArrayNode nodes = workflow.putArray("nodes");
        for (String node : List.of("a", "b", "c", "d")) {
            nodes.add(Workflows.node(node, "count", Json.object().put("ms", 40)));
        }
        ArrayNode edges = workflow.putArray("edges");
        for (String[] edge : new String[][] {{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}}) {
            edges.addObject().put("from", edge[0]).put("to", edge[1]);
        }
        return workflow;
    }

    private static long completed(Frames frames, List<String> workflows) {
        return workflows.stream().filter(id -> frames.eventNames("workflow:" + id).contains("workflow.completed"))
            .count();
    }

    private static String prefixOf(LocalCluster cluster) {
        return cluster.prefix().value();
    }
}

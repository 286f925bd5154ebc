package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.executor.workflow.Snapshots;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors lose no work when Kafka fails them midway, against a real broker: one takes over the partitions of an
 * executor that died while the state topic cannot be read (as while a broker fails over), and one whose open
 * transaction the broker aborts writes it again instead of going on without it.
 */
@ExtendWith(KafkaExtension.class)
class TakeOverIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path sandbox;

    private HandOverExecutors fleet;
    private CommittedEvents events;
    private List<ExecutorNode> executors;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) {
        fleet = new HandOverExecutors(kafka, prefix, sandbox, Namespace.WORKFLOW);
        events = fleet.events();
        executors = fleet.executors();
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void shouldContinueTheDeadExecutorsWorkflowOnceTheStateTopicCanBeRead() throws Exception {
        send(workflow("wf-long", 4_000));
        await().atMost(WAIT).until(() -> events.has("wf-long", "node.started", "work"));
        executors.remove(0).abort();

        HeldShut held = new HeldShut();
        executors.add(ExecutorNode.start(fleet.config("executor-2"), ToolRegistry.withPlugins(), held::around));
        send(workflow("wf-later", 10));
        await("the successor tried to take over and could not").atMost(WAIT).until(() -> held.refused.get() >= 2);
        assertThat(events.of("wf-later")).as("no command is handled before the take-over").isEmpty();

        held.open.set(true);
        await().atMost(WAIT).until(() -> events.has("wf-long", "workflow.completed", null)
            && events.has("wf-later", "workflow.completed", null));
        assertCompletedOnce("wf-long");
    }

    @Test
    void shouldWriteAgainATransactionTheBrokerAbortedAndLoseNothing(EmbeddedKafka kafka)
        throws Exception {
        send(workflow("wf-aborted", 3_000));
        await().atMost(WAIT).until(() -> events.has("wf-aborted", "node.started", "work"));
        // A producer of the same transactional id makes the coordinator abort the executor's open transaction and
        // refuse its epoch from now on, as when a transaction outlives its timeout; the previous code dropped every
        // step after that.
        try (KafkaProducer<String, String> usurper = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, fleet.first().groupId() + "-" + fleet.first().workerId()),
            new StringSerializer(), new StringSerializer())) {
            usurper.initTransactions();
        }
        send(workflow("wf-after", 10));

        await().atMost(WAIT).until(() -> events.has("wf-aborted", "workflow.completed", null)
            && events.has("wf-after", "workflow.completed", null));
        assertCompletedOnce("wf-aborted");
        assertCompletedOnce("wf-after");
        assertThat(events.of("wf-aborted")).filteredOn(event -> event.event().startsWith("node."))
            .extracting(event -> event.event() + " " + event.data().path("node_id").asText())
            .as("no node ran twice").doesNotHaveDuplicates();
        assertThat(metrics(executors.get(0))).as("the executor saw its transaction aborted")
            .containsPattern("executor_transactions_total\\{[^}]*result=\"aborted\"[^}]*} [1-9]");
    }

    /** The workflow started once, each node completed once and in order, and it completed once. */
    private void assertCompletedOnce(String workflowId) {
        List<Event> seen = events.of(workflowId);
        assertThat(seen).extracting(Event::event).as(workflowId)
            .containsOnlyOnce("workflow.started", "workflow.completed").doesNotContain("workflow.failed");
        assertThat(seen).filteredOn(event -> event.event().equals("node.completed"))
            .extracting(event -> event.data().path("node_id").asText()).containsExactly("plan", "work", "report");
    }

    private static String metrics(ExecutorNode executor) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + executor.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        return response.body();
    }


    private static ExecuteWorkflow workflow(String id, long sleepMs) {
        return new ExecuteWorkflow(id, List.of(
            new Node("plan", "echo", Json.object().put("message", "plan")),
            new Node("work", "sleep", Json.object().put("ms", sleepMs)),
            new Node("report", "echo", Json.object().put("message", "done"))),
            List.of(new Edge("plan", "work"), new Edge("work", "report")));
    }

    private void send(ExecuteWorkflow workflow) throws Exception {
        Command command = new Command(UUID.randomUUID(), "r-" + workflow.workflowId(),
            Channel.of(Namespace.WORKFLOW, workflow.workflowId()), Channel.of(Namespace.CONN, "take-over-test"),
            Principal.ANONYMOUS, workflow, Instant.now());
        fleet.send(command);
    }

    /** The engine's view of the state topic, refusing to catch up until opened, as an unreachable topic would. */
    private static final class HeldShut {
        final AtomicBoolean open = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        Snapshots around(Snapshots store) {
            return TestExecutors.catchingUp(store, within -> {
                if (!open.get()) {
                    refused.incrementAndGet();
                    throw new RelayException(ErrorCode.UNAVAILABLE, "the state topic cannot be read right now");
                }
                store.catchUp(within);
            });
        }
    }
}

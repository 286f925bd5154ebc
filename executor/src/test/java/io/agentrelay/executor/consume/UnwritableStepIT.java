package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.common.protocol.PanelDefinition;
import io.agentrelay.common.protocol.PanelTool;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordinary requests that make records an executor cannot write (over its limits, over the broker's, not serializable)
 * fail only the workflow or trigger that made them, with the reason, against a real broker; the same executor goes on
 * with the next workflow. The previous executor retried such a transaction forever and committed nothing after it.
 */
@ExtendWith(KafkaExtension.class)
class UnwritableStepIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BIG = "x".repeat(60_000);
    private static final Set<String> END = Set.of("workflow.completed", "workflow.failed", "workflow.cancelled");

    @TempDir
    Path sandbox;

    private EmbeddedKafka kafka;
    private ExecutorConfig config;
    private ExecutorNode executor;
    private KafkaProducer<String, Command> commands;
    private CommittedEvents events;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        this.kafka = kafka;
        Map<String, String> env = TestExecutors.env(kafka, prefix, sandbox);
        env.put("EXECUTOR_WORKER_ID", "executor-1");
        // Room for one 60,000-character file, not for two: the output limit is the test's to cross.
        env.put("EXECUTOR_MAX_OUTPUT_BYTES", "100000");
        config = ExecutorConfig.fromEnv(env);
        executor = ExecutorNode.start(config, ToolRegistry.withPlugins());
        commands = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(), JsonSerde.of(Command.class));
        events = new CommittedEvents(kafka, config, Namespace.WORKFLOW, Namespace.PANEL, Namespace.CONN);
        Files.writeString(sandbox.resolve("big.txt"), BIG);
        Files.writeString(sandbox.resolve("bigger.txt"), BIG + BIG);
    }

    @AfterEach
    void stop() {
        executor.close();
        commands.close();
        events.close();
    }

    @Test
    void shouldFailAWorkflowWhoseResultsTogetherAreTooLargeAndGoOn() throws Exception {
        // 20 nodes reading a 60,000-character file: 1.2 MB of results in workflow.completed.
        execute(new ExecuteWorkflow("wf-reads", IntStream.rangeClosed(1, 20)
            .mapToObj(i -> new Node("read-" + i, "read_file", Json.object().put("filename", "big.txt"))).toList(),
            List.of()));

        Event failed = awaitEnd("wf-reads");
        assertThat(failed.event()).isEqualTo("workflow.failed");
        assertThat(failed.data().path("error").asText())
            .contains("workflow.completed event would be").contains("EXECUTOR_MAX_EVENT_BYTES");
        assertThat(events.of("wf-reads")).filteredOn(event -> event.event().equals("node.completed")).hasSize(20);
        assertGoesOn();
        assertThat(metrics()).containsPattern("executor_steps_failed_total\\{[^}]*reason=\"unwritable\"[^}]*} [1-9]");
    }

    @Test
    void shouldFailANodeWhoseOutputIsOverTheLimit() throws Exception {
        execute(workflow("wf-bigger", new Node("read", "read_file", Json.object().put("filename", "bigger.txt"))));

        Event failed = awaitEnd("wf-bigger");
        assertThat(failed.event()).isEqualTo("workflow.failed");
        assertThat(failed.data().path("error").asText()).contains("node 'read' failed: its output is 120")
            .contains("over the limit of 100000 (EXECUTOR_MAX_OUTPUT_BYTES)");
        assertGoesOn();
    }

    @Test
    void shouldFailAWorkflowWhoseDefinitionIsTooLargeToAnnounce() throws Exception {
        // As a 1 MB HTTP body would: under Kafka's limit as a command, over the executor's as workflow.started.
        execute(workflow("wf-huge", new Node("say", "echo", Json.object().put("message", BIG.repeat(10)))));

        Event failed = awaitEnd("wf-huge");
        assertThat(failed.event()).isEqualTo("workflow.failed");
        assertThat(failed.data().path("error").asText()).contains("workflow.started event would be")
            .contains("EXECUTOR_MAX_EVENT_BYTES");
        assertGoesOn();
    }

    @Test
    void shouldFailOnlyTheStepsTheBrokerRefuses() throws Exception {
        lowerTheBrokersRecordLimit();
        execute(workflow("wf-refused", new Node("read", "read_file", Json.object().put("filename", "big.txt"))));
        execute(workflow("wf-beside", new Node("say", "echo", Json.object().put("message", "beside"))));

        Event failed = awaitEnd("wf-refused");
        assertThat(failed.event()).isEqualTo("workflow.failed");
        assertThat(failed.data().path("error").asText()).contains("Kafka refused the step");
        assertThat(awaitEnd("wf-beside").event()).isEqualTo("workflow.completed");
        assertGoesOn();
    }

    @Test
    void shouldWriteNothingOfAWorkflowAfterItsStepThatFailed() throws Exception {
        lowerTheBrokersRecordLimit();
        // The echo runs as soon as the read completed, so its steps are queued before Kafka refused the read's.
        execute(new ExecuteWorkflow("wf-then", List.of(
            new Node("read", "read_file", Json.object().put("filename", "big.txt")),
            new Node("say", "echo", Json.object().put("message", "after the read"))), List.of(new Edge("read", "say"))));

        assertThat(awaitEnd("wf-then").event()).isEqualTo("workflow.failed");
        assertGoesOn();
        assertThat(events.of("wf-then")).extracting(Event::event)
            .as("the steps after the one Kafka refused are not written").doesNotContain("node.completed")
            .filteredOn(END::contains).containsExactly("workflow.failed");
    }

    /** A broker whose record limit is lower than the executor's: Kafka itself refuses a 60,000-byte node.completed. */
    private void lowerTheBrokersRecordLimit() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC,
                config.kafka().topics().events(Namespace.WORKFLOW)), List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "50000"), AlterConfigOp.OpType.SET))))
                .all().get();
        }
    }

    @Test
    void shouldRefuseATriggerThatWouldMakeThePanelTooLargeAndKeepItsState() throws Exception {
        createPanel("todo", "append", "items");
        List<String> bigAdds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bigAdds.add(trigger("todo", "add", Json.object().put("value", BIG)));
        }
        String small = trigger("todo", "add", Json.object().put("value", "milk"));

        Event smallAnswer = awaitAnswer(small);
        assertThat(smallAnswer.event()).as("answered after the refused ones").isEqualTo("trigger_tool");
        List<Event> answers = bigAdds.stream().map(this::awaitAnswer).toList();
        assertThat(answers).extracting(Event::event).as("the first ones fit, then the panel would be too large")
            .containsExactly("trigger_tool", "trigger_tool", "error", "error", "error", "error");
        assertThat(answers.get(2).data().path("error_code").asText()).isEqualTo("EXECUTION_ERROR");
        assertThat(answers.get(2).data().path("error_message").asText()).contains("'add' was not applied")
            .contains("EXECUTOR_MAX_SNAPSHOT_BYTES");
        assertThat(events.of("todo")).filteredOn(event -> event.event().equals("panel.patch"))
            .extracting(event -> event.data().path("revision").asLong()).as("no refused change was published")
            .containsExactly(1L, 2L, 3L);
        assertGoesOn();
    }

    @Test
    void shouldRefuseATriggerWhoseStateCannotBeWrittenAndKeepItsState() throws Exception {
        createPanel("counter", "set", "title");
        String deep = trigger("counter", "rename", Json.object().put("value", "deep")
            .put("path", String.join(".", Collections.nCopies(1_100, "a"))));
        String plain = trigger("counter", "rename", Json.object().put("value", "plain"));

        Event refused = awaitAnswer(deep);
        assertThat(refused.event()).isEqualTo("error");
        assertThat(refused.data().path("error_message").asText()).contains("'rename' was not applied")
            .contains("cannot be written as JSON");
        assertThat(awaitAnswer(plain).data().path("result").path("returnValue").asText()).isEqualTo("plain");
        assertThat(events.of("counter")).filteredOn(event -> event.event().equals("panel.patch"))
            .extracting(event -> event.data().path("revision").asLong()).containsExactly(1L);
        assertGoesOn();
    }

    @Test
    void shouldWriteEachOutputOnce() throws Exception {
        Files.writeString(sandbox.resolve("page.txt"), "y".repeat(5_000));
        List<Node> nodes = IntStream.rangeClosed(1, 20)
            .mapToObj(i -> new Node("n" + i, "read_file", Json.object().put("filename", "page.txt"))).toList();
        List<Edge> chain = IntStream.range(1, 20).mapToObj(i -> new Edge("n" + i, "n" + (i + 1))).toList();
        execute(new ExecuteWorkflow("wf-twenty", nodes, chain));
        assertThat(awaitEnd("wf-twenty").event()).isEqualTo("workflow.completed");

        long stateBytes = bytesWritten(config.kafka().topics().state(), "wf-twenty");
        long eventBytes = bytesWritten(config.kafka().topics().events(Namespace.WORKFLOW), "wf-twenty");
        System.out.printf("A 20-node workflow of 5,000-byte outputs wrote %,d bytes of state and %,d of events%n",
            stateBytes, eventBytes);
        // 100,000 bytes of outputs: each once, plus a small snapshot a step. Repeating every output in every step's
        // snapshot wrote about 2 MB.
        assertThat(stateBytes).as("bytes written to the state topic").isLessThan(250_000);
    }

    /** An ordinary workflow still completes on the same executor. */
    private void assertGoesOn() throws Exception {
        String id = "wf-after-" + UUID.randomUUID().toString().substring(0, 8);
        execute(workflow(id, new Node("say", "echo", Json.object().put("message", "still here"))));
        assertThat(awaitEnd(id).event()).isEqualTo("workflow.completed");
    }

    private long bytesWritten(String topic, String workflowId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long bytes = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.key() != null && record.key().contains(workflowId) && record.value() != null) {
                        bytes += record.key().length() + record.value().length;
                    }
                }
            }
            return bytes;
        }
    }

    private Event awaitEnd(String workflowId) {
        return await().atMost(WAIT).until(() -> events.of(workflowId).stream()
            .filter(event -> END.contains(event.event())).findFirst(), Optional::isPresent).orElseThrow();
    }

    private Event awaitAnswer(String requestId) {
        return await().atMost(WAIT).until(() -> events.answers(requestId).stream().findFirst(),
            Optional::isPresent).orElseThrow();
    }

    private static ExecuteWorkflow workflow(String id, Node node) {
        return new ExecuteWorkflow(id, List.of(node), List.of());
    }

    private void execute(ExecuteWorkflow workflow) throws Exception {
        send(Channel.of(Namespace.WORKFLOW, workflow.workflowId()), workflow, "r-" + workflow.workflowId());
    }

    private void createPanel(String panelId, String handler, String path) throws Exception {
        String tool = "set".equals(handler) ? "rename" : "add";
        ObjectNode params = Json.object().put("path", path);
        ObjectNode state = Json.object();
        if ("append".equals(handler)) {
            state.putArray(path);
        }
        send(Channel.of(Namespace.PANEL, panelId), new CommandPayload.CreatePanel(new PanelDefinition(panelId, state,
            Map.of(tool, new PanelTool(handler, params, null)))), "create-" + panelId);
        await().atMost(WAIT).until(() -> !events.of(panelId).isEmpty());
    }

    private String trigger(String panelId, String tool, ObjectNode args) throws Exception {
        String requestId = UUID.randomUUID().toString();
        send(Channel.of(Namespace.PANEL, panelId), new CommandPayload.TriggerTool(panelId, tool, args), requestId);
        return requestId;
    }

    private void send(Channel.Scoped target, CommandPayload payload, String requestId) throws Exception {
        Command command = new Command(UUID.randomUUID(), requestId, target, Channel.of(Namespace.CONN, "unwritable-test"),
            Principal.ANONYMOUS, payload, Instant.now());
        commands.send(new ProducerRecord<>(config.kafka().topics().commands(), target.name(), command)).get();
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + executor.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }
}

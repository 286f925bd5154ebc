package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire contract, {@code docs/asyncapi.yaml}, against reality: real workflows (completed, failed, cancelled, a taken
 * id refused), queries, resumes, a replay, error frames, a DSL command, a chat message, a session and a panel run
 * on a real relay and executor, and every frame a canonical client receives and every record written to the commands, event and state
 * topics must match one of the document's messages for its channel, with no field or type it does not allow.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class AsyncApiContractIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final AsyncApiContract contract = AsyncApiContract.load(AsyncApiContract.DOCUMENT);
    private final List<AsyncApiContract.Message> canonical = contract.messages("canonical");
    private final Map<RawSocket, List<String>> sent = new HashMap<>();
    private final Set<String> seen = new TreeSet<>();
    private int requests;

    /**
     * The document's messages that this test does not produce, each with why: everything else must be seen, so that a
     * message added to the document without a run that produces it fails here.
     */
    private static final Set<String> NOT_EXERCISED = Set.of(
        // Only tools that report progress emit it, and no built-in tool does (MCP servers' notifications do).
        "nodeProgressEvent", "workflowNodeProgressRecord");

    @Test
    void everyFrameAndRecordOfRealWorkShouldMatchTheDocument(EmbeddedKafka kafka, LocalCluster cluster)
        throws Exception {
        String pool = "pool:" + cluster.poolId();
        try (RawSocket client = RawSocket.connect(cluster.webSocket(0));
             RawSocket everything = RawSocket.connect(cluster.webSocket(0));
             RawSocket praxis = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port()
                 + "/ws/events"))) {
            // Every event of every namespace, as frames: those of the other dialects' and the HTTP API's work too.
            request(everything, "subscribe", Json.object().put("channel", "global"));
            await().atMost(WAIT).until(() -> answered(everything).containsAll(sent.get(everything)));
            for (String channel : List.of("workflow:ok", "workflow:broken", "workflow:stopped", pool)) {
                request(client, "subscribe", Json.object().put("channel", channel));
            }
            request(client, "execute_workflow", Workflows.diamond("ok"));
            request(client, "execute_workflow", Json.object().put("workflow_id", "broken").set("nodes",
                Json.object().arrayNode().add(Workflows.node("bad", "fail", Json.object().put("reason", "on purpose")))));
            request(client, "execute_workflow", Json.object().put("workflow_id", "stopped").set("nodes",
                Json.object().arrayNode().add(Workflows.node("long", "sleep", Json.object().put("ms", 20_000)))));
            await().atMost(WAIT).until(() -> eventNames(client, "workflow:stopped").contains("node.started"));
            request(client, "cancel_workflow", Json.object().put("workflow_id", "stopped"));
            await().atMost(WAIT).until(() -> eventNames(client, "workflow:ok").contains("workflow.completed")
                && eventNames(client, "workflow:broken").contains("workflow.failed")
                && eventNames(client, "workflow:stopped").contains("workflow.cancelled"));

            // A taken workflow id, refused to its requester alone; the queries that executors answer; a replay.
            request(client, "execute_workflow", Workflows.echo("ok", "again"));
            request(client, "get_workflow_status", Json.object().put("workflow_id", "ok"));
            request(client, "get_workflow_status", Json.object().put("workflow_id", "never-ran"));
            request(client, "get_pool_status", Json.object().put("pool_id", cluster.poolId()));
            request(client, "list_tools", Json.object().put("pool_id", cluster.poolId()));
            request(client, "ping", null);
            request(client, "replay", Json.object().put("channel", "workflow:ok").put("from", "1970-01-01T00:00:00Z"));
            request(client, "unsubscribe", Json.object().put("channel", "workflow:broken"));
            request(client, "unsubscribe", Json.object().put("channel", "workflow:never"));
            // Requests the document does not allow, answered with error frames.
            client.send("{not json");
            send(client, "launch_rockets", Json.object());
            send(client, "subscribe", Json.object().put("channel", "nowhere:x"));
            send(client, "execute_workflow", Json.object().put("workflow_id", "no-nodes"));
            await().atMost(WAIT).until(() -> answered(client).containsAll(sent.get(client))
                && eventNames(client, "workflow:ok").containsAll(List.of("replay.completed", "workflow.failed")));

            // A resume from the middle of a channel, and one from a position of another partition.
            List<JsonNode> ok = events(client, "workflow:ok").stream()
                .filter(f -> f.has("pos") && !f.has("replayed")).toList();
            try (RawSocket resumed = RawSocket.connect(cluster.webSocket(0))) {
                request(resumed, "subscribe", Json.object().put("channel", "workflow:ok")
                    .put("since", ok.get(2).path("pos").asText()));
                request(resumed, "subscribe", Json.object().put("channel", "workflow:broken")
                    .put("since", "elsewhere.0.5"));
                await().atMost(WAIT).until(() -> answered(resumed).containsAll(sent.get(resumed))
                    && events(resumed, "workflow:ok").size() == ok.size() - 3);
                assertFramesMatch(resumed);
                assertThat(resumed.ofType("response")).extracting(f -> f.path("data").path("recovered").asBoolean())
                    .containsExactlyInAnyOrder(true, false);
            }

            // Other dialects' commands: their records, not their frames, are the document's business.
            praxis.send("DSL_COMMAND", Json.object().put("command", "CALL echo hello"), "dsl-1");
            praxis.send("CHAT_MESSAGE", Json.object().put("content", "echo hi"), "chat-1");
            await().atMost(WAIT).untilAsserted(() -> assertThat(praxis.frames()).as(praxis.frames().toString())
                .anyMatch(f -> f.toString().contains("dslResult")).anyMatch(f -> f.toString().contains("Done.")));
            // And the HTTP API's: a session of agent work, and a panel (which answers when the panel exists).
            post(cluster, "/api/sessions", Json.object().put("session_id", "asked").put("query", "echo hello"));
            ObjectNode board = Json.object().put("id", "board");
            board.putObject("state").put("count", 0);
            board.putObject("tools").putObject("increment").put("handler", "add").putObject("params").put("path", "count");
            ((ObjectNode) board.get("tools")).putObject("announce").put("handler", "emit").putObject("params")
                .put("event", "announced");
            post(cluster, "/api/panels", board);
            try (RawSocket panel = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port()
                     + "/panels/board/ws"));
                 RawSocket agentCraft = RawSocket.connect(URI.create("ws://127.0.0.1:" + cluster.relay(0).port()
                     + "/ws/agent-tracking/client_1642678200123_k3j9x2m1p"))) {
                await().atMost(WAIT).until(() -> panel.types().contains("CONNECTED"));
                panel.send("{\"type\":\"TRIGGER\",\"tool\":\"increment\",\"requestId\":\"t1\"}");
                panel.send("{\"type\":\"TRIGGER\",\"tool\":\"announce\",\"requestId\":\"t2\"}");
                agentCraft.send("{\"type\":\"get_session_state\",\"session_id\":\"asked\"}");
                agentCraft.send("{\"type\":\"get_session_logs\",\"session_id\":\"asked\"}");
                await().atMost(WAIT).until(() -> panel.ofType("RESULT").size() == 2
                    && agentCraft.types().contains("session_logs")
                    && (agentCraft.types().contains("session_state") || agentCraft.types().contains("session_not_found")));
                assertThat(panel.notJson()).isEmpty();
                assertThat(agentCraft.notJson()).isEmpty();
            }
            await().atMost(WAIT).until(() -> everything.ofType("event").stream()
                .map(f -> f.path("event").asText()).toList().containsAll(List.of("panel.patch", "panel.event",
                    "chat.message", "tool.executed", "dsl.result")));

            assertFramesMatch(client);
            assertFramesMatch(everything);
            assertThat(client.ofType("error")).extracting(f -> f.path("error_code").asText())
                .contains("PARSE_ERROR", "UNKNOWN_REQUEST", "INVALID_CHANNEL", "INVALID_REQUEST", "NOT_FOUND");
        }

        assertRecordsMatch(kafka.bootstrapServers(), cluster.prefix().value());
        Set<String> unseen = new TreeSet<>(contract.messageIds());
        unseen.removeAll(seen);
        assertThat(unseen).as("the document's messages this run did not produce").isEqualTo(NOT_EXERCISED);
    }

    @Test
    void theDocumentShouldPassTheAsyncApiParser() throws Exception {
        Run run = parse(AsyncApiContract.DOCUMENT);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("valid AsyncAPI");
    }

    @Test
    void theParserShouldRefuseADocumentWithABrokenSchema(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("asyncapi.yaml");
        Files.writeString(broken, Files.readString(AsyncApiContract.DOCUMENT)
            .replace("$ref: '#/components/schemas/Pos'", "$ref: '#/components/schemas/Position'"));

        Run run = parse(broken);

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("INVALID", "'#/components/schemas/Position' does not exist");
    }

    /** Runs {@code docs/asyncapi/validate.mjs}; skips the test where its npm packages are not installed. */
    private static Run parse(Path document) throws Exception {
        Path validator = AsyncApiContract.DOCUMENT.resolveSibling("asyncapi");
        assumeTrue(Files.isDirectory(validator.resolve("node_modules/@asyncapi/parser")),
            "docs/asyncapi has no node_modules (npm ci --prefix docs/asyncapi)");
        Process process = new ProcessBuilder("node", "validate.mjs", document.toString()).directory(validator.toFile())
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the parser finishes").isTrue();
        return new Run(process.exitValue(), output);
    }

    private record Run(int exitCode, String output) {
    }

    @Test
    void aFrameWithAFieldOrTypeTheDocumentDoesNotAllowShouldBeCaught() {
        ObjectNode frame = Json.object().put("id", "e1").put("type", "event").put("event", "node.started")
            .put("timestamp", "2026-11-23T10:00:00Z").put("room", "workflow:w").put("pos", "abc.0.4");
        frame.set("data", Json.object().put("workflow_id", "w").put("node_id", "a").put("tool", "echo")
            .put("attempt", 1));
        assertThat(AsyncApiContract.violations(canonical, null, null, frame)).isEmpty();

        ((ObjectNode) frame.get("data")).put("surprise", true);
        assertThat(AsyncApiContract.violations(canonical, null, null, frame)).isNotEmpty();
        ((ObjectNode) frame.get("data")).remove("surprise");
        ((ObjectNode) frame.get("data")).put("attempt", "1");
        assertThat(AsyncApiContract.violations(canonical, null, null, frame)).isNotEmpty();
        frame.put("event", "node.teleported");
        assertThat(AsyncApiContract.violations(canonical, null, null, frame)).anyMatch(v -> v.contains("no message"));
    }

    @Test
    void aRecordWithoutItsKeyOrWithAnUnlistedHeaderShouldBeCaught() {
        List<AsyncApiContract.Message> commands = contract.messages("commands");
        ObjectNode command = Json.object().put("id", "7f0c5c6e-8a43-4b7e-9d52-1f0d2a6b3c11").put("target", "workflow:w")
            .put("reply_to", "conn:c1").put("ts", "2026-11-23T10:00:00Z");
        command.putObject("principal").put("subject", "alice").putObject("claims");
        command.putObject("payload").put("kind", "get_workflow_status").put("workflow_id", "w");
        ObjectNode headers = Json.object().put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(AsyncApiContract.violations(commands, "workflow:w", headers, command)).isEmpty();

        assertThat(AsyncApiContract.violations(commands, null, headers, command)).anyMatch(v -> v.contains("key"));
        assertThat(AsyncApiContract.violations(commands, "workflow:w", headers.deepCopy().put("x-extra", "1"), command))
            .anyMatch(v -> v.contains("headers"));
    }

    @Test
    void theTypeScriptSdkShouldTypeEveryRequestAndEventOfTheDocument() throws Exception {
        String protocol = Files.readString(AsyncApiContract.DOCUMENT.resolveSibling("../client-js/src/protocol.ts")
            .normalize());
        Set<String> requests = names(protocol, "export interface Requests {", "^  ([a-z_]+): \\{");
        Set<String> events = names(protocol, "export interface Events {", "^  '([a-z_.]+)':");
        Set<String> documented = new TreeSet<>();
        canonical.stream().filter(m -> m.id().endsWith("Request")).forEach(m -> documented.add(m.name()));
        Set<String> documentedEvents = new TreeSet<>();
        canonical.stream().filter(m -> m.id().endsWith("Event")).forEach(m -> documentedEvents.add(m.name()));

        assertThat(requests).isEqualTo(documented);
        assertThat(events).isEqualTo(documentedEvents);
    }

    /** The names a TypeScript interface declares, one per line matching {@code member}. */
    private static Set<String> names(String source, String start, String member) {
        String body = source.substring(source.indexOf(start), source.indexOf("\n}\n", source.indexOf(start)));
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile(member, Pattern.MULTILINE).matcher(body);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** Sends a request, after checking that the document allows it. */
    private void request(RawSocket socket, String name, JsonNode data) throws Exception {
        ObjectNode frame = frame(name, data);
        AsyncApiContract.Verdict verdict = AsyncApiContract.check(canonical, null, null, frame);
        assertThat(verdict.violations()).as(frame.toString()).isEmpty();
        seen.add(verdict.match().id());
        sent.computeIfAbsent(socket, s -> new ArrayList<>()).add(frame.path("id").asText());
        socket.send(Json.toText(frame));
    }

    /** Sends a request that the document does not allow. */
    private void send(RawSocket socket, String name, JsonNode data) throws Exception {
        ObjectNode frame = frame(name, data);
        assertThat(AsyncApiContract.violations(canonical, null, null, frame)).as(frame.toString()).isNotEmpty();
        socket.send(Json.toText(frame));
    }

    private ObjectNode frame(String name, JsonNode data) {
        ObjectNode frame = Json.object().put("type", "request").put("id", "r" + ++requests).put("event", name);
        if (data != null) {
            frame.set("data", data);
        }
        return frame;
    }

    /** The request ids that a response or an error answered. */
    private static List<String> answered(RawSocket socket) {
        return socket.frames().stream().filter(f -> !"event".equals(f.path("type").asText()))
            .map(f -> f.path("correlation_id").asText()).toList();
    }

    /** Checks every frame a socket received, and that each was JSON; notes the messages they were. */
    private void assertFramesMatch(RawSocket socket) {
        assertThat(socket.notJson()).as("frames that are not JSON").isEmpty();
        List<String> problems = new ArrayList<>();
        for (JsonNode frame : socket.frames()) {
            note(AsyncApiContract.check(canonical, null, null, frame), frame.toString(), problems);
        }
        assertThat(problems).as("frames the document does not allow").isEmpty();
    }

    private void note(AsyncApiContract.Verdict verdict, String what, List<String> problems) {
        if (verdict.match() != null) {
            seen.add(verdict.match().id());
        }
        verdict.violations().forEach(v -> problems.add(what + "\n  " + v));
    }

    /** Reads every committed record of the test's topics and checks it; notes the messages they were. */
    private void assertRecordsMatch(String bootstrapServers, String prefix) {
        Topics topics = new Topics(prefix);
        Map<String, String> channelOfTopic = new HashMap<>();
        channelOfTopic.put(topics.commands(), "commands");
        channelOfTopic.put(topics.state(), "state");
        for (Namespace namespace : Namespace.values()) {
            channelOfTopic.put(topics.events(namespace), namespace.wireName() + "Events");
        }
        Map<String, List<AsyncApiContract.Message>> messages = new HashMap<>();
        channelOfTopic.values().forEach(channel -> messages.put(channel, contract.messages(channel)));
        List<String> problems = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(bootstrapServers, channelOfTopic.keySet())) {
            String channel = channelOfTopic.get(record.topic());
            JsonNode value = parse(record.value());
            ObjectNode headers = Json.object();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            note(AsyncApiContract.check(messages.get(channel), record.key(), headers, value),
                record.topic() + " " + record.key() + " " + value, problems);
        }
        assertThat(problems).as("records the document does not allow").isEmpty();
    }

    private static void post(LocalCluster cluster, String path, JsonNode body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.http(0, path))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).header("Content-Type", "application/json")
            .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, Set<String> topicNames) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            topicNames.forEach(topic -> consumer.partitionsFor(topic).forEach(
                info -> partitions.add(new TopicPartition(topic, info.partition()))));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            });
            return records;
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null ? NullNode.getInstance() : Json.readTree(value);
        } catch (Exception e) {
            throw new AssertionError("a record value that is not JSON: " + new String(value, StandardCharsets.UTF_8), e);
        }
    }

    private static List<JsonNode> events(RawSocket socket, String channel) {
        return socket.ofType("event").stream().filter(f -> channel.equals(f.path("room").asText())).toList();
    }

    private static List<String> eventNames(RawSocket socket, String channel) {
        return events(socket, channel).stream().map(f -> f.path("event").asText()).toList();
    }
}

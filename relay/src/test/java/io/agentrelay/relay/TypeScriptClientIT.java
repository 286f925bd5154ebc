package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TypeScript SDK ({@code client-js}) against real relays and a real broker: node scripts of {@code client-js/it}
 * (with the {@code ws} package as their WebSocket) and a page in Debian's Chromium, driven by Playwright, that imports
 * the built bundle. Skipped where the npm packages or the build are missing, and the browser test where Chromium is;
 * {@code .ci/run} installs and builds them.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class TypeScriptClientIT {

    private static final Path CLIENT_JS = Path.of("..", "client-js");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String SECRET = "typescript-client-test-secret-of-32-bytes";

    @Test
    void shouldRunAWorkflowAndReceiveItsEventsFromNode(LocalCluster cluster) throws Exception {
        assumeBuilt();

        JsonNode result;
        try (NodeScript script = NodeScript.start("it/workflow.mjs", cluster.webSocket(0).toString(), "from-node")) {
            result = script.result();
        }

        List<String> names = field(result.get("events"), "event");
        assertThat(names).startsWith("workflow.started").endsWith("workflow.completed");
        assertThat(field(result.get("events"), "pos")).doesNotHaveDuplicates().doesNotContainNull();
        assertThat(result.at("/readBack/content").asText()).isEqualTo("hi");
        assertThat(result.get("status").asText()).isEqualTo("completed");
    }

    /** With authentication on, so that a reconnect gets in only with the token provider's token. */
    @Test
    void shouldResumeAcrossARelayRestartWithNothingLostOrRepeated(EmbeddedKafka kafka, TopicPrefix prefix,
                                                                  @TempDir Path sandbox) throws Exception {
        assumeBuilt();
        String channel = "workflow:restarted";
        String token = AuthIT.token(SECRET, "ts-client", List.of("*"), List.of("*"), Instant.now().plusSeconds(3600));
        Frames seen = new Frames();
        JsonNode result;
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 2,
                 Map.of("RELAY_JWT_SECRET", SECRET));
             RelayConnection witness = RelayConnection.connect(URI.create(cluster.webSocket(1) + "?token=" + token),
                 Duration.ofSeconds(10))) {
            witness.addListener(seen);
            witness.subscribe(channel).get(10, TimeUnit.SECONDS);
            try (NodeScript script = NodeScript.start("it/resume.mjs", cluster.webSocket(0).toString(), "restarted",
                token)) {
                await("the script's workflow to reach its sleep").atMost(WAIT).until(() -> script.printed("ready"));
                cluster.restartRelay(0, () -> await("the workflow to complete while relay-0 is down").atMost(WAIT)
                    .until(() -> seen.eventNames(channel).contains("workflow.completed")));
                result = script.result();
            }
        }

        List<String> expected = seen.events(channel).stream().map(event -> event.event() + "@" + event.pos()).toList();
        List<String> received = StreamSupport.stream(result.get("events").spliterator(), false)
            .map(event -> event.get("event").asText() + "@" + event.get("pos").asText())
            .toList();
        assertThat(received).as("every event of the channel, once, in order").containsExactlyElementsOf(expected);
        int beforeRestart = result.get("beforeRestart").asInt();
        assertThat(received.subList(beforeRestart, received.size())).as("what came through the resume")
            .anyMatch(event -> event.startsWith("workflow.completed@"));
        assertThat(result.get("resumes").toString()).isEqualTo("[{\"recovered\":true}]");
        assertThat(field(result.get("states"), null)).containsSubsequence("open", "reconnecting", "open");
        assertThat(result.get("tokens").asInt()).as("the provider asked for every connection").isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldRunAWorkflowFromABrowserPageThatImportsTheBundle(LocalCluster cluster) throws Exception {
        assumeBuilt();
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        Path artifacts = Files.createDirectories(Path.of("target", "browser-artifacts"));

        JsonNode result;
        try (NodeScript script = NodeScript.start("it/browser.mjs", cluster.webSocket(0).toString(), "from-browser",
            artifacts.toAbsolutePath().toString())) {
            result = script.result();
        }

        assertThat(result.get("status").asText()).startsWith("completed: hello from Mozilla/");
        assertThat(field(result.get("events"), null)).startsWith("workflow.started").contains("node.completed hello")
            .endsWith("workflow.completed");
    }

    private static void assumeBuilt() {
        assumeTrue(Files.isDirectory(CLIENT_JS.resolve("node_modules/ws")), "run npm ci in " + CLIENT_JS);
        assumeTrue(Files.isRegularFile(CLIENT_JS.resolve("dist/index.js")), "run npm run build in " + CLIENT_JS);
    }

    /** The texts of an array, or of one field of each of its objects. */
    private static List<String> field(JsonNode array, String name) {
        return StreamSupport.stream(array.spliterator(), false)
            .map(item -> name == null ? item.asText() : item.path(name).isNull() ? null : item.path(name).asText())
            .toList();
    }

    /** A script of {@code client-js/it} run by node; what it prints is echoed and kept as it comes. */
    private static final class NodeScript implements AutoCloseable {
        private static final String RESULT = "result: ";

        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private NodeScript(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader output = process.inputReader()) {
                    output.lines().forEach(line -> {
                        System.out.println("node: " + line);
                        lines.add(line);
                    });
                } catch (IOException | UncheckedIOException e) {
                    // The process was destroyed: what it printed so far is kept.
                }
            }, "node-output");
            reader.setDaemon(true);
            reader.start();
        }

        static NodeScript start(String... arguments) throws IOException {
            List<String> command = new ArrayList<>(List.of("node"));
            command.addAll(List.of(arguments));
            return new NodeScript(new ProcessBuilder(command).directory(CLIENT_JS.toFile()).redirectErrorStream(true)
                .start());
        }

        boolean printed(String line) {
            return lines.contains(line);
        }

        /** Waits for the script to end successfully and returns the JSON it printed as its result. */
        JsonNode result() throws Exception {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the script ended within %s", WAIT)
                .isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(process.exitValue()).as("the script's exit status; it printed %s", lines).isZero();
            String result = lines.stream().filter(line -> line.startsWith(RESULT)).findFirst().orElseThrow();
            return Json.readTree(result.substring(RESULT.length()));
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}

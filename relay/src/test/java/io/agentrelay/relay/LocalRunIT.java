package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/run}, twice on one machine (on the tests' broker, so that it starts no broker of its own): each run
 * finds a port of its own for the executor's metrics and says which, and says that authentication is off.
 */
@ExtendWith(KafkaExtension.class)
class LocalRunIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern METRICS_PORT = Pattern.compile("metrics and health on port (\\d+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoRunsSideBySideShouldEachStartAndSayWhereTheirExecutorsMetricsAre(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        Run first = Run.start(dir.resolve("first"), kafka, prefix);
        try {
            first.awaitReady();
            Run second = Run.start(dir.resolve("second"), kafka, prefix);
            try {
                second.awaitReady();

                assertThat(second.metricsPort()).isNotEqualTo(first.metricsPort());
                assertThat(first.output()).contains("authentication is OFF (RELAY_AUTH_DISABLED=true)");
                assertThat(Files.readString(first.dir.resolve("logs/relay.log")))
                    .contains("WARN", "Authentication is OFF");
            } finally {
                second.stop();
            }
        } finally {
            first.stop();
        }
    }

    private record Run(Path dir, Process process, int relayPort) {

        static Run start(Path dir, EmbeddedKafka kafka, TopicPrefix prefix) throws IOException {
            Files.createDirectories(dir);
            int relayPort;
            try (ServerSocket probe = new ServerSocket(0)) {
                relayPort = probe.getLocalPort();
            }
            ProcessBuilder run = new ProcessBuilder("scripts/run").directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
            run.environment().remove("EXECUTOR_METRICS_PORT");
            run.environment().remove("RELAY_JWT_SECRET");
            run.environment().remove("RELAY_JWKS_FILE");
            run.environment().remove("RELAY_AUTH_DISABLED");
            run.environment().put("RUN_DIR", dir.toString());
            run.environment().put("RELAY_PORT", String.valueOf(relayPort));
            run.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            run.environment().put("RELAY_TOPIC_PREFIX", prefix.value());
            run.environment().put("EXECUTOR_GROUP_ID", prefix.value() + "-executors");
            return new Run(dir, run.start(), relayPort);
        }

        String output() throws IOException {
            return Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
        }

        void awaitReady() {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertThat(process.isAlive()).as("scripts/run is running; its output:%n%s", output()).isTrue();
                return output().contains("ws://127.0.0.1:" + relayPort + "/ws");
            });
        }

        int metricsPort() throws IOException {
            Matcher port = METRICS_PORT.matcher(output());
            assertThat(port.find()).as(output()).isTrue();
            return Integer.parseInt(port.group(1));
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }
}

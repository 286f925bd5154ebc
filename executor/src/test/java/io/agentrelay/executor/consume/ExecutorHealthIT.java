package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's {@code /health} tells the truth about its command loop, against a real broker: DOWN (503) when the
 * loop died or is stuck, so that Kubernetes restarts it; the previous executor said UP whatever happened.
 */
@ExtendWith(KafkaExtension.class)
class ExecutorHealthIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path sandbox;

    private ExecutorNode executor;

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    @Test
    void shouldSayDownWhenTheCommandLoopDies(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        // A failure nobody planned for, thrown in the loop while it takes its partitions over.
        executor = ExecutorNode.start(config(kafka, prefix), ToolRegistry.withPlugins(), store -> TestExecutors.catchingUp(store, within -> {
            throw new IllegalStateException("a bug in reading the state topic");
        }));

        await().atMost(WAIT).untilAsserted(() -> assertThat(health()).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"status\":\"DOWN\"").contains("the command loop stopped");
        }));
    }

    @Test
    void shouldSayDownWhileTheCommandLoopIsStuckAndUpOnceItMovesOn(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        executor = ExecutorNode.start(config(kafka, prefix), ToolRegistry.withPlugins(), store -> TestExecutors.catchingUp(store, within -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            store.catchUp(within);
        }));

        await().atMost(WAIT).untilAsserted(() -> assertThat(health()).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("the command loop has been stuck for");
        }));
        released.countDown();
        await().atMost(WAIT).untilAsserted(() -> assertThat(health().statusCode()).isEqualTo(200));
    }

    @Test
    void shouldLeaveNothingRunningWhenItFailsToStart(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        // A panel file too large for Kafka: the executor cannot publish it, after its loops were built.
        Path panels = Files.createDirectory(sandbox.resolve("panels"));
        Files.writeString(panels.resolve("huge.json"), "{\"id\":\"huge\",\"state\":{\"blob\":\""
            + "x".repeat(1_100_000) + "\"},\"tools\":{}}");
        Map<String, String> env = env(kafka, prefix);
        env.put("EXECUTOR_PANELS_DIR", panels.toString());
        env.put("EXECUTOR_WORKER_ID", "failing-" + prefix.value());

        assertThatThrownBy(() -> ExecutorNode.start(ExecutorConfig.fromEnv(env), ToolRegistry.withPlugins()))
            .hasMessageContaining("cannot publish the panel definitions");
        // Its main then exits with status 1; no thread of it may keep a half-started process alive meanwhile.
        await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
            .filteredOn(thread -> thread.isAlive() && !thread.isDaemon()
                && thread.getName().endsWith("failing-" + prefix.value()))
            .extracting(Thread::getName).isEmpty());
    }

    private ExecutorConfig config(EmbeddedKafka kafka, TopicPrefix prefix) {
        return ExecutorConfig.fromEnv(env(kafka, prefix));
    }

    private Map<String, String> env(EmbeddedKafka kafka, TopicPrefix prefix) {
        Map<String, String> env = TestExecutors.env(kafka, prefix, sandbox);
        env.put("EXECUTOR_COMMIT_TIMEOUT_MS", "1000");
        env.put("EXECUTOR_STALL_TIMEOUT_MS", "2000");
        return env;
    }

    private HttpResponse<String> health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + executor.metricsPort() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}

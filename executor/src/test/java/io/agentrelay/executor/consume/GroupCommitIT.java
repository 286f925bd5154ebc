package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.runtime.kafka.TopicProvisioner;
import io.agentrelay.executor.workflow.StateRecord;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps that queue while a transaction is committing go out together in the next one, against a real broker: a
 * workflow's next steps never wait for a commit each, and none is lost or written twice on the way.
 */
@ExtendWith(KafkaExtension.class)
class GroupCommitIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path sandbox;

    private ExecutorConfig config;
    private SimpleMeterRegistry registry;
    private TransactionalSink sink;
    private CommittedEvents events;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) {
        Map<String, String> env = TestExecutors.env(kafka, prefix, sandbox);
        env.put("EXECUTOR_WORKER_ID", "executor-1");
        config = ExecutorConfig.fromEnv(env);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            new TopicProvisioner(admin, config.kafka(), WAIT).ensureTopics();
        }
        registry = new SimpleMeterRegistry();
        sink = new TransactionalSink(config, registry);
        events = new CommittedEvents(kafka, config, Namespace.WORKFLOW);
    }

    @AfterEach
    void stop() {
        sink.close();
        events.close();
    }

    @Test
    void shouldCommitTheStepsQueuedDuringACommitInOneTransaction() throws Exception {
        // The first step's snapshot is written once its event is placed: it holds its transaction open until told.
        CountDownLatch committing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<List<Long>> first = sink.publishStep(List.of(event("workflow.started")),
            List.of(StateRecord.afterEvents("workflow:wf-group", offsets -> {
                if (offsets.get(0) != Long.MAX_VALUE) {
                    committing.countDown();
                    awaitQuietly(release);
                }
                return new Marker("started");
            })), null);
        assertThat(committing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        List<CompletableFuture<List<Long>>> queued = List.of(
            sink.publishStep(List.of(event("node.started")), List.of(), null),
            sink.publishStep(List.of(event("node.completed")), List.of(), null),
            sink.publishStep(List.of(event("workflow.completed")), List.of(), null));
        release.countDown();

        long started = first.get(WAIT.toSeconds(), TimeUnit.SECONDS).get(0);
        List<Long> offsets = queued.stream().map(step -> step.join().get(0)).toList();
        // One partition: a transaction's commit marker takes an offset after its records. The first step's marker
        // follows it; none comes between the three queued steps, so they were one transaction.
        assertThat(offsets).containsExactly(started + 2, started + 3, started + 4);
        assertThat(registry.counter("executor.transactions", "result", "committed").count()).isEqualTo(2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(events.of("wf-group")).extracting(Event::event)
            .containsExactly("workflow.started", "node.started", "node.completed", "workflow.completed"));
    }

    private static Event event(String name) {
        return Event.of(Channel.of(Namespace.WORKFLOW, "wf-group"), name, Json.object().put("workflow_id", "wf-group"));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Marker(String state) {
    }
}

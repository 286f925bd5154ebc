package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.executor.consume.ExecutorNode;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Executors as the workers of a Mahavishnu pool (heartbeat 250 ms in these tests). */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class PoolStatusIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;
    private String pool;

    @BeforeEach
    void start(LocalCluster cluster) {
        this.cluster = cluster;
        pool = "pool:" + cluster.poolId();
    }

    @Test
    void shouldReportAWorkerBusyWhileItRunsAndIdleAfterwards() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe(pool).get(10, TimeUnit.SECONDS);
        client.subscribe("worker:executor-0").get(10, TimeUnit.SECONDS);
        ObjectNode slow = Json.object().put("workflow_id", "wf-pool");
        slow.putArray("nodes").add(Workflows.node("nap", "sleep", Json.object().put("ms", 300)));

        client.request("execute_workflow", slow).get(10, TimeUnit.SECONDS);

        // The worker's own start-up 'idle' may arrive too; what matters is busy, then idle again.
        await().atMost(WAIT).until(() -> busyThenIdle(statuses(frames, pool))
            && busyThenIdle(statuses(frames, "worker:executor-0")));
        List<Envelope> changes = frames.events(pool).stream()
            .filter(e -> e.event().equals("worker.status_changed")).toList();
        assertThat(changes).allSatisfy(e -> {
            assertThat(e.data().path("worker_id").asText()).isEqualTo("executor-0");
            assertThat(e.data().path("pool_id").asText()).isEqualTo(cluster.poolId());
            assertThat(e.data().path("timestamp").asText()).isNotBlank();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(frames.events(pool))
            .anySatisfy(e -> {
                assertThat(e.event()).isEqualTo("pool.status_changed");
                assertThat(e.data().path("status").path("tasks_completed").asLong()).isGreaterThanOrEqualTo(1);
                assertThat(e.data().path("status").has("active_workers")).isTrue();
                assertThat(e.data().path("status").has("idle_workers")).isTrue();
                assertThat(e.data().path("status").has("queue_size")).isTrue();
            }));
    }

    @Test
    void shouldAnswerPoolStatusAndReportACrashedWorkerOfflineInBoundedTime() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe(pool).get(10, TimeUnit.SECONDS);
        ExecutorNode second = cluster.startExecutor("executor-1");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
            assertThat(workers(client)).containsExactly("executor-0", "executor-1"));

        long crashed = System.nanoTime();
        second.abort();

        await().atMost(WAIT).until(() -> frames.events(pool).stream().anyMatch(e ->
            e.event().equals("worker.status_changed") && e.data().path("worker_id").asText().equals("executor-1")
                && e.data().path("status").asText().equals("offline")));
        assertThat(Duration.ofNanos(System.nanoTime() - crashed))
            .as("offline after three silent heartbeats, not forever").isLessThan(Duration.ofSeconds(15));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
            assertThat(workers(client)).containsExactly("executor-0"));
        assertThatThrownBy(() -> client.request("get_pool_status", Json.object().put("pool_id", "no-such-pool"))
            .get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(RelayErrorException.class,
                e -> assertThat(e.errorCode()).isEqualTo("NOT_FOUND"));
    }

    private List<String> workers(RelayConnection client) throws Exception {
        Envelope status = client.request("get_pool_status", Json.object().put("pool_id", cluster.poolId()))
            .get(10, TimeUnit.SECONDS);
        assertThat(status.data().path("pool_id").asText()).isEqualTo(cluster.poolId());
        assertThat(status.data().path("status").asText()).isEqualTo("active");
        JsonNode workers = status.data().path("workers");
        return StreamSupport.stream(workers.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static boolean busyThenIdle(List<String> statuses) {
        int busy = statuses.indexOf("busy");
        return busy >= 0 && statuses.lastIndexOf("idle") > busy;
    }

    private static List<String> statuses(Frames frames, String channel) {
        return frames.events(channel).stream().filter(e -> e.event().equals("worker.status_changed"))
            .map(e -> e.data().path("status").asText()).toList();
    }
}

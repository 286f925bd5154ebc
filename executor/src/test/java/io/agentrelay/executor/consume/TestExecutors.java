package io.agentrelay.executor.consume;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.executor.workflow.Snapshots;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.TopicPrefix;

/** What the executor tests of this package share: their settings, and views of the state topic. */
final class TestExecutors {

    private TestExecutors() {
    }

    /**
     * The settings of an executor under test: the test's own topics (two partitions), group and pool, a free metrics
     * port; a mutable copy, for the test to add its own.
     */
    static Map<String, String> env(EmbeddedKafka kafka, TopicPrefix prefix, Path sandbox) {
        return new HashMap<>(Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
            "RELAY_TOPIC_PREFIX", prefix.value(),
            "RELAY_TOPIC_PARTITIONS", "2",
            "EXECUTOR_SANDBOX_DIR", sandbox.toString(),
            "EXECUTOR_GROUP_ID", prefix.value() + "-executors",
            "EXECUTOR_POOL_ID", prefix.value(),
            "EXECUTOR_METRICS_PORT", "0"));
    }

    /** The state topic as an engine sees it, catching up as told. */
    static Snapshots catchingUp(Snapshots store, Consumer<Duration> catchUp) {
        return new Snapshots() {
            @Override
            public void catchUp(Duration within) {
                catchUp.accept(within);
            }

            @Override
            public Optional<WorkflowSnapshot> workflow(String workflowId) {
                return store.workflow(workflowId);
            }

            @Override
            public List<WorkflowSnapshot> runningWorkflows() {
                return store.runningWorkflows();
            }
        };
    }
}

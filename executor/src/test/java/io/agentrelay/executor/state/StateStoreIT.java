package io.agentrelay.executor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.NodeState;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.runtime.kafka.TopicProvisioner;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The executor's view of the state topic, against a real broker. */
@ExtendWith(KafkaExtension.class)
class StateStoreIT {

    @Test
    void shouldReadTheStateTopicWhenItAppearsAfterTheStoreStarted(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        KafkaSettings settings = KafkaSettings.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
            "RELAY_TOPIC_PREFIX", prefix.value(), "RELAY_TOPIC_PARTITIONS", "2"));
        try (StateStore store = new StateStore(settings, prefix.value() + "-store")) {
            // Started before the topics exist, as a process started next to a cluster that is still being set up.
            store.start();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
                new TopicProvisioner(admin, settings, Duration.ofSeconds(30)).ensureTopics();
            }
            WorkflowSnapshot running = new WorkflowSnapshot("wf-early", "", RunState.RUNNING, 1, 1,
                Instant.now(), "workflow:wf-early", "command-1", new ExecuteWorkflow("wf-early",
                List.of(new Node("a", "echo", Json.object().put("message", "hi"))), List.of()),
                Map.of("a", NodeState.RUNNING), Map.of(), null, null, null, null);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(settings.topics().state(), WorkflowSnapshot.key("wf-early"),
                    Json.toBytes(running))).get();
            }

            // A catch-up may time out while the store still looks for the new topic's partitions.
            await().atMost(Duration.ofSeconds(30)).ignoreException(RelayException.class).untilAsserted(() -> {
                store.catchUp(Duration.ofSeconds(5));
                assertThat(store.runningWorkflows()).extracting(WorkflowSnapshot::sessionId).containsExactly("wf-early");
            });
        }
    }
}

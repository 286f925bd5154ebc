package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A relay and an executor on the official {@code apache/kafka} image of the release the build uses, instead of the
 * embedded broker every other test shares: the broker users deploy, in its own container. Skipped where no Docker
 * engine runs; nothing else in the suite needs Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ApacheKafkaImageIT {

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(System.getProperty("kafka.image"));

    @Test
    void shouldRunAWorkflowAndFanItsEventsOutOnTheOfficialImage(@TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(KAFKA.getBootstrapServers(), new TopicPrefix("image"), sandbox,
                 1, Map.of())) {
            RelayConnection client = cluster.connect(0);
            Frames frames = new Frames();
            client.addListener(frames);
            client.subscribe("workflow:wf-image").get(10, TimeUnit.SECONDS);

            Envelope accepted = client.request("execute_workflow", Workflows.echo("wf-image", "hello"))
                .get(30, TimeUnit.SECONDS);

            assertThat(accepted.data().path("status").asText()).isEqualTo("accepted");
            await().atMost(Duration.ofSeconds(60))
                .until(() -> frames.eventNames("workflow:wf-image").contains("workflow.completed"));
            assertThat(frames.eventNames("workflow:wf-image"))
                .containsSubsequence("workflow.started", "node.started", "node.completed", "workflow.completed");
        }
    }
}

package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class MultiNodeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldDeliverToEachNodesOwnSubscribersWhicheverNodeTookTheCommand(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka, prefix, sandbox, 2)) {
            RelayConnection onFirst = cluster.connect(0);
            RelayConnection onSecond = cluster.connect(1);
            Frames firstFrames = new Frames();
            Frames secondFrames = new Frames();
            onFirst.addListener(firstFrames);
            onSecond.addListener(secondFrames);
            onFirst.subscribe("workflow:wf-shared").get(10, TimeUnit.SECONDS);
            onSecond.subscribe("workflow:wf-shared").get(10, TimeUnit.SECONDS);
            onSecond.subscribe("workflow:wf-from-first").get(10, TimeUnit.SECONDS);

            // A command sent through one node produces events that the other node's subscribers see.
            onFirst.request("execute_workflow", Workflows.diamond("wf-from-first")).get(10, TimeUnit.SECONDS);
            onSecond.request("execute_workflow", Workflows.diamond("wf-shared")).get(10, TimeUnit.SECONDS);

            await().atMost(WAIT).until(() ->
                secondFrames.eventNames("workflow:wf-from-first").contains("workflow.completed")
                    && firstFrames.eventNames("workflow:wf-shared").contains("workflow.completed")
                    && secondFrames.eventNames("workflow:wf-shared").contains("workflow.completed"));
            assertThat(secondFrames.eventNames("workflow:wf-from-first"))
                .as("started, 4 × (node started, completed, stage completed), 3 hand-offs, 10 log lines, completed")
                .hasSize(27);
            assertThat(firstFrames.events("workflow:wf-shared")).extracting(Envelope::pos)
                .containsExactlyElementsOf(secondFrames.events("workflow:wf-shared").stream().map(Envelope::pos).toList());
            assertThat(firstFrames.events("workflow:wf-from-first"))
                .as("the first node's client never subscribed to the workflow it started").isEmpty();
        }
    }
}

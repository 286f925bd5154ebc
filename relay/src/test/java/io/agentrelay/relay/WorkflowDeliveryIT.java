package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class WorkflowDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalCluster cluster;

    @BeforeEach
    void startCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void shouldDeliverEveryEventOfADiamondWorkflowInOrder() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe("workflow:wf-diamond").get(10, TimeUnit.SECONDS);

        Envelope accepted = client.request("execute_workflow", Workflows.diamond("wf-diamond")
            .put("adapter", "llamaindex").put("prompt", "Write code")).get(10, TimeUnit.SECONDS);

        assertThat(accepted.data().path("status").asText()).isEqualTo("accepted");
        assertThat(accepted.data().path("workflow_id").asText()).isEqualTo("wf-diamond");
        assertThat(accepted.data().path("command_id").asText()).isNotBlank();
        await().atMost(WAIT).until(() -> frames.eventNames("workflow:wf-diamond").contains("workflow.completed"));
        List<Envelope> all = frames.events("workflow:wf-diamond");
        assertThat(all).extracting(e -> Position.decode(e.pos()).offset()).isSorted().doesNotHaveDuplicates();
        assertThat(all).extracting(e -> Position.decode(e.pos()).partition()).containsOnly(
            Position.decode(all.get(0).pos()).partition());
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).event().equals("node.completed")) {
                Envelope stage = all.get(i + 1);
                assertThat(stage.event()).as("Mahavishnu's stage event follows each node").isEqualTo("workflow.stage_completed");
                assertThat(stage.data().path("stage_name").asText()).isEqualTo(all.get(i).data().path("node_id").asText());
                assertThat(stage.data().path("result").path("output")).isEqualTo(all.get(i).data().path("result"));
                assertThat(stage.data().path("result").path("duration_ms").isIntegralNumber()).isTrue();
            }
        }
        assertThat(all).filteredOn(e -> e.event().equals("workflow.handoff"))
            .extracting(e -> e.data().path("from_node").asText() + ">" + e.data().path("to_node").asText())
            .as("a hands off to b and c; d starts after whichever of them completed last")
            .hasSize(3).contains("a>b", "a>c").containsAnyOf("b>d", "c>d");
        assertThat(all).filteredOn(e -> e.event().equals("workflow.log")).hasSize(10);
        // The session view's events (AgentCraft's) interleave; the workflow's own events keep their order.
        List<Envelope> events = all.stream().filter(e -> !Set.of("workflow.stage_completed", "workflow.log",
            "workflow.handoff").contains(e.event())).toList();
        assertThat(events).extracting(Envelope::event).containsExactly(
            "workflow.started",
            "node.started", "node.completed",
            events.get(3).event(), events.get(4).event(), events.get(5).event(), events.get(6).event(),
            "node.started", "node.completed",
            "workflow.completed");
        assertThat(events.subList(3, 7)).extracting(e -> e.event() + " " + e.data().path("node_id").asText())
            .containsExactlyInAnyOrder("node.started b", "node.started c", "node.completed b", "node.completed c");
        assertThat(events.get(1).data().path("node_id").asText()).isEqualTo("a");
        assertThat(events.get(8).data().path("node_id").asText()).isEqualTo("d");
        assertThat(events.get(0).data().path("adapter").asText()).isEqualTo("llamaindex");
        assertThat(events.get(0).data().path("prompt").asText()).isEqualTo("Write code");
        Envelope completed = events.get(events.size() - 1);
        assertThat(completed.data().path("workflow_id").asText()).isEqualTo("wf-diamond");
        assertThat(completed.data().path("result").path("a").path("message").asText()).isEqualTo("top");
        assertThat(completed.data().path("result").path("b").path("slept_ms").asLong()).isEqualTo(100);
        assertThat(completed.data().path("result").path("c").path("message").asText()).isEqualTo("right");
        assertThat(completed.data().path("result").path("d").path("message").asText()).isEqualTo("bottom");
        assertThat(events.get(2).data().path("duration_ms").isIntegralNumber()).isTrue();
    }

    @Test
    void shouldNeverShowAClientAnotherWorkflowsEvents() throws Exception {
        RelayConnection first = cluster.connect(0);
        RelayConnection second = cluster.connect(0);
        Frames firstFrames = new Frames();
        Frames secondFrames = new Frames();
        first.addListener(firstFrames);
        second.addListener(secondFrames);
        first.subscribe("workflow:wf-first").get(10, TimeUnit.SECONDS);
        second.subscribe("workflow:wf-second").get(10, TimeUnit.SECONDS);

        first.request("execute_workflow", Workflows.echo("wf-first", "one")).get(10, TimeUnit.SECONDS);
        second.request("execute_workflow", Workflows.echo("wf-second", "two")).get(10, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> firstFrames.eventNames("workflow:wf-first").contains("workflow.completed")
            && secondFrames.eventNames("workflow:wf-second").contains("workflow.completed"));
        assertThat(firstFrames.ofType(Envelope.EVENT)).extracting(Envelope::room)
            .containsOnly("workflow:wf-first");
        assertThat(secondFrames.ofType(Envelope.EVENT)).extracting(Envelope::room)
            .containsOnly("workflow:wf-second");
    }

    @Test
    void shouldAnswerWorkflowStatusFromTheOwningExecutor() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe("workflow:wf-status").get(10, TimeUnit.SECONDS);
        client.request("execute_workflow", Workflows.diamond("wf-status")).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> frames.eventNames("workflow:wf-status").contains("workflow.completed"));

        Envelope status = client.request("get_workflow_status", Json.object().put("workflow_id", "wf-status"))
            .get(10, TimeUnit.SECONDS);

        assertThat(status.type()).isEqualTo(Envelope.RESPONSE);
        assertThat(status.event()).isEqualTo("get_workflow_status");
        assertThat(status.data().path("status").asText()).isEqualTo("completed");
        assertThat(status.data().path("stages_completed").asInt()).isEqualTo(4);
        assertThat(status.data().path("total_stages").asInt()).isEqualTo(4);
        assertThatThrownBy(() -> client.request("get_workflow_status", Json.object().put("workflow_id", "wf-unknown"))
            .get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(RelayErrorException.class,
                e -> assertThat(e.errorCode()).isEqualTo("NOT_FOUND"));
    }

    @Test
    void shouldFailInvalidWorkflowsWithAClearReason() throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);

        ObjectNode cycle = Workflows.echo("wf-cycle", "x");
        cycle.withArray("nodes").add(Workflows.node("other", "echo", Json.object().put("message", "y")));
        cycle.putArray("edges").add(Workflows.edge("only", "other")).add(Workflows.edge("other", "only"));
        ObjectNode unknownTool = Json.object().put("workflow_id", "wf-tool");
        unknownTool.putArray("nodes").add(Workflows.node("n", "launch_rockets", Json.object()));
        ObjectNode escape = Json.object().put("workflow_id", "wf-escape");
        escape.putArray("nodes").add(Workflows.node("n", "write_file",
            Json.object().put("filename", "../../etc/cron.d/evil").put("content", "x")));

        for (ObjectNode workflow : List.of(cycle, unknownTool, escape)) {
            client.subscribe("workflow:" + workflow.path("workflow_id").asText()).get(10, TimeUnit.SECONDS);
            client.request("execute_workflow", workflow).get(10, TimeUnit.SECONDS);
        }

        assertThat(failureOf(frames, "wf-cycle")).isEqualTo("workflow has a cycle through nodes [only, other]");
        assertThat(failureOf(frames, "wf-tool")).startsWith("node 'n' uses unknown tool 'launch_rockets'");
        assertThat(failureOf(frames, "wf-escape"))
            .isEqualTo("node 'n' (write_file): filename '../../etc/cron.d/evil' must not contain '..'");
        assertThat(cluster.sandbox()).isEmptyDirectory();
    }

    private static String failureOf(Frames frames, String workflowId) {
        String channel = "workflow:" + workflowId;
        await().atMost(WAIT).until(() -> frames.eventNames(channel).contains("workflow.failed"));
        assertThat(frames.eventNames(channel)).containsExactly("workflow.failed");
        return frames.events(channel).get(0).data().path("error").asText();
    }
}

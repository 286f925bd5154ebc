package io.agentrelay.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class WorkflowTimelineTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final List<Event> events = new ArrayList<>();

    private ObjectNode add(long atMillis, String name) {
        ObjectNode data = Json.object().put("workflow_id", "wf-1");
        events.add(new Event("e" + events.size(), Channel.of(Namespace.WORKFLOW, "wf-1"), name, data,
            T0.plusMillis(atMillis), null, null));
        return data;
    }

    private void started() {
        ObjectNode data = add(0, "workflow.started").put("worker_id", "exec-a").put("trace_id", TRACE);
        data.putArray("nodes").addObject().put("id", "fetch").put("tool", "echo");
        data.withArray("nodes").addObject().put("id", "write").put("tool", "write_file");
        data.withArray("nodes").addObject().put("id", "report").put("tool", "echo");
    }

    private void nodeStarted(long at, String node, int attempt, String worker) {
        add(at, "node.started").put("node_id", node).put("tool", "echo").put("attempt", attempt)
            .put("worker_id", worker).put("trace_id", TRACE);
    }

    @Test
    void shouldTellEachNodesAttemptsAndWhyTheWorkflowFailed() {
        started();
        nodeStarted(10, "fetch", 1, "exec-a");
        add(40, "node.completed").put("node_id", "fetch").put("duration_ms", 30).put("result", "ok");
        nodeStarted(50, "write", 1, "exec-a");
        add(70, "node.failed").put("node_id", "write").put("error", "no such file").put("duration_ms", 20);
        add(75, "workflow.failed").put("error", "no such file").put("failed_node", "write").put("duration_ms", 75);

        WorkflowTimeline timeline = WorkflowTimeline.of("wf-1", events);

        assertThat(timeline.status()).isEqualTo("failed");
        assertThat(timeline.error()).isEqualTo("no such file");
        assertThat(timeline.failedNode()).isEqualTo("write");
        assertThat(timeline.durationMs()).isEqualTo(75);
        assertThat(timeline.traceIds()).containsExactly(TRACE);
        assertThat(timeline.nodes()).extracting(WorkflowTimeline.NodeRun::nodeId)
            .containsExactly("fetch", "write", "report");
        WorkflowTimeline.Attempt fetch = timeline.nodes().get(0).attempts().get(0);
        assertThat(fetch.outcome()).isEqualTo("completed");
        assertThat(fetch.executor()).isEqualTo("exec-a");
        assertThat(fetch.start()).isEqualTo(T0.plusMillis(10));
        assertThat(fetch.end()).isEqualTo(T0.plusMillis(40));
        assertThat(fetch.durationMs()).isEqualTo(30);
        assertThat(fetch.result().asText()).isEqualTo("ok");
        assertThat(timeline.nodes().get(1).attempts().get(0).error()).isEqualTo("no such file");
        assertThat(timeline.nodes().get(2).attempts()).isEmpty();
        assertThat(timeline.handovers()).isEmpty();
    }

    @Test
    void shouldMarkAHandOverWithItsGapAndTheInterruptedAttempt() {
        started();
        nodeStarted(10, "fetch", 1, "exec-a");
        nodeStarted(6_010, "fetch", 2, "exec-b");
        add(6_030, "node.completed").put("node_id", "fetch").put("duration_ms", 20);
        add(6_040, "workflow.completed").put("duration_ms", 6_040);

        WorkflowTimeline timeline = WorkflowTimeline.of("wf-1", events);

        assertThat(timeline.status()).isEqualTo("completed");
        assertThat(timeline.handovers()).singleElement().satisfies(handover -> {
            assertThat(handover.from()).isEqualTo("exec-a");
            assertThat(handover.to()).isEqualTo("exec-b");
            assertThat(handover.nodeId()).isEqualTo("fetch");
            assertThat(handover.gapMs()).isEqualTo(6_000);
        });
        assertThat(timeline.nodes().get(0).attempts()).extracting(WorkflowTimeline.Attempt::outcome,
            WorkflowTimeline.Attempt::executor).containsExactly(
                Tuple.tuple("interrupted", "exec-a"),
                Tuple.tuple("completed", "exec-b"));
        assertThat(timeline.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.ms()).isEqualTo(6_000);
            assertThat(gap.before()).isEqualTo("node.started");
        });
    }

    @Test
    void shouldSayUnknownWhenTheStartIsNoLongerInTheLogAndRunningWithoutAnEnd() {
        nodeStarted(10, "fetch", 1, "exec-a");
        assertThat(WorkflowTimeline.of("wf-1", events).status()).isEqualTo("unknown");
        events.clear();
        started();
        nodeStarted(10, "fetch", 1, "exec-a");
        WorkflowTimeline running = WorkflowTimeline.of("wf-1", events);
        assertThat(running.status()).isEqualTo("running");
        assertThat(running.endedAt()).isNull();
        assertThat(running.nodes().get(0).attempts().get(0).outcome()).isEqualTo("running");
    }
}

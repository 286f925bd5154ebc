package io.agentrelay.common.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Snapshots in the state topic are read by relays and by executors of other versions: their JSON must not move. */
class StateJsonTest {

    private static final Instant STARTED = Instant.parse("2026-01-02T03:04:05.678Z");

    /** The bytes were written by the snapshot records when their states were strings. */
    @ParameterizedTest
    @CsvSource({"RUNNING, processing, RUNNING, running", "COMPLETED, completed, COMPLETED, completed",
        "FAILED, failed, FAILED, failed", "CANCELLED, cancelled, PENDING, pending"})
    void shouldWriteSnapshotsByteForByteAsBefore(RunState status, String statusName, NodeState node, String nodeName)
        throws Exception {
        WorkflowSnapshot snapshot = new WorkflowSnapshot("wf-1", "say hi", status, 1, 2, STARTED, "workflow:wf-1",
            "cmd-1", new ExecuteWorkflow("wf-1", List.of(new Node("a", "echo", Json.object().put("message", "hi"))),
            List.of()), Map.of("a", node), Map.of(), "why", null, null, null);
        String written = "{\"session_id\":\"wf-1\",\"query\":\"say hi\",\"status\":\"" + statusName + "\","
            + "\"agents_active\":1,\"agents_total\":2,\"started_at\":\"2026-01-02T03:04:05.678Z\","
            + "\"owner_key\":\"workflow:wf-1\",\"command_id\":\"cmd-1\",\"workflow\":{\"kind\":\"execute_workflow\","
            + "\"workflow_id\":\"wf-1\",\"nodes\":[{\"id\":\"a\",\"tool\":\"echo\",\"params\":{\"message\":\"hi\"}}],"
            + "\"edges\":[]},\"nodes\":{\"a\":\"" + nodeName + "\"},\"results\":{},\"error\":\"why\"}";

        assertThat(new String(Json.toBytes(snapshot), StandardCharsets.UTF_8)).isEqualTo(written);
        assertThat(Json.readerFor(WorkflowSnapshot.class).<WorkflowSnapshot>readValue(written)).isEqualTo(snapshot);
        String session = "{\"session_id\":\"wf-1\",\"query\":\"q\",\"status\":\"" + statusName + "\","
            + "\"agents_active\":1,\"agents_total\":2,\"started_at\":\"2026-01-02T03:04:05.678Z\"}";
        assertThat(new String(Json.toBytes(new SessionSnapshot("wf-1", "q", status, 1, 2, STARTED)),
            StandardCharsets.UTF_8)).isEqualTo(session);
    }

    @Test
    void shouldCountOnlyProcessingAsRunning() throws Exception {
        assertThat(read("processing", "running").running()).isTrue();
        assertThat(read("completed", "completed").running()).isFalse();
    }

    /**
     * A newer executor may write states this one does not know. An unknown run state reads as ended (failed), so this
     * executor never takes such a run over; an unknown node state reads as pending, so a run it does resume runs it.
     */
    @Test
    void shouldReadUnknownStatesAsANodeToRunAndARunThatEnded() throws Exception {
        WorkflowSnapshot snapshot = read("archived", "paused");

        assertThat(snapshot.nodes()).containsEntry("a", NodeState.PENDING);
        assertThat(snapshot.status()).isEqualTo(RunState.FAILED);
        assertThat(snapshot.running()).isFalse();
    }

    /** A snapshot without a status, or with null, reads as an unknown one does: ended, so nothing fails later. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"session_id\":\"wf-1\",\"nodes\":{\"a\":\"running\"}}",
        "{\"session_id\":\"wf-1\",\"status\":null,\"nodes\":{\"a\":\"running\"}}"})
    void shouldReadAMissingRunStateAsAnUnknownOne(String written) throws Exception {
        WorkflowSnapshot snapshot = Json.readerFor(WorkflowSnapshot.class).readValue(written);
        SessionSnapshot session = Json.readerFor(SessionSnapshot.class).readValue(written);

        assertThat(snapshot.status()).isEqualTo(RunState.FAILED);
        assertThat(snapshot.running()).isFalse();
        assertThat(snapshot.nodes()).containsEntry("a", NodeState.RUNNING);
        assertThat(session.status()).isEqualTo(RunState.FAILED);
    }

    @Test
    void shouldReadANullNodeStateAsAnUnknownOne() throws Exception {
        assertThat(read("processing", null).nodes()).containsEntry("a", NodeState.PENDING);
    }

    @Test
    void shouldAddBackOnlyTheOutputsOfCompletedNodes() throws Exception {
        WorkflowSnapshot snapshot = new WorkflowSnapshot("wf-1", "", RunState.RUNNING, 1, 2, STARTED, "workflow:wf-1",
            "cmd-1", null, Map.of("a", NodeState.COMPLETED, "b", NodeState.RUNNING), Map.of(), null, null, null, null);

        WorkflowSnapshot withResults = snapshot.withResults(Map.of("a", Json.object().put("n", 1),
            "b", Json.object().put("n", 2)));

        assertThat(withResults.results()).containsOnlyKeys("a");
    }

    private static WorkflowSnapshot read(String status, String nodeState) throws Exception {
        return Json.readerFor(WorkflowSnapshot.class).readValue("{\"session_id\":\"wf-1\",\"status\":\"" + status
            + "\",\"nodes\":{\"a\":" + (nodeState == null ? null : "\"" + nodeState + "\"") + "}}");
    }
}

package io.agentrelay.executor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.state.WorkflowSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an executor answers about a workflow it knows only from its snapshot: {@code get_workflow_status}, and
 * {@code get_session_state} as Mahavishnu and AgentCraft read it. The expected bytes are those written when the
 * states were strings.
 */
class StoredWorkflowTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "processing | running   | running   | PROCESSING | 0   | false",
        "processing | pending   | running   | IDLE       | 0   | false",
        "completed  | completed | completed | COMPLETED  | 100 | true",
        "failed     | failed    | failed    | ERROR      | 0   | false",
        "cancelled  | completed | cancelled | COMPLETED  | 100 | false"})
    void shouldAnswerForAStoredRunAsBefore(String status, String nodeState, String reported, String agentStatus,
                                           int progress, boolean succeeded) throws Exception {
        WorkflowSnapshot snapshot = Json.readerFor(WorkflowSnapshot.class).readValue("{\"session_id\":\"wf-1\","
            + "\"query\":\"q\",\"status\":\"" + status + "\",\"nodes\":{\"a\":\"" + nodeState + "\"},\"error\":\"e\"}");
        StoredWorkflow stored = new StoredWorkflow(snapshot);
        int stages = "completed".equals(nodeState) ? 1 : 0;

        assertThat(new String(Json.toBytes(stored.status()), StandardCharsets.UTF_8)).isEqualTo(
            "{\"workflow_id\":\"wf-1\",\"status\":\"" + reported + "\",\"stages_completed\":" + stages
                + ",\"total_stages\":1,\"nodes\":{\"a\":\"" + nodeState + "\"},\"error\":\"e\"}");
        assertThat(new String(Json.toBytes(stored.sessionState()), StandardCharsets.UTF_8)).isEqualTo(
            "{\"session_id\":\"wf-1\",\"query\":\"q\",\"current_phase\":\"" + status + "\",\"overall_progress\":"
                + progress + ",\"active_agents\":[{\"agent_name\":\"a\",\"status\":\"" + agentStatus
                + "\",\"progress\":" + progress + "}],\"crew_output\":[]}");
        assertThat(stored.ending().map(WorkflowOutcome::completed))
            .isEqualTo("processing".equals(status) ? Optional.empty() : Optional.of(succeeded));
    }
}

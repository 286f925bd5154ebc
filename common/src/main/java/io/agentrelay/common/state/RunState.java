package io.agentrelay.common.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.agentrelay.common.protocol.WireName;

/**
 * Where a workflow run is, as its snapshot in the state topic names it ({@code status}), and the session state of
 * Mahavishnu's {@code get_session_state} ({@code current_phase}).
 */
public enum RunState implements WireName {
    /** Still running: {@code processing} in snapshots and session state, {@code running} in {@link #statusName()}. */
    RUNNING("processing"),
    /** Every node completed. */
    COMPLETED("completed"),
    /** A node failed, the deadline passed, a step could not be written, or the workflow was refused. */
    FAILED("failed"),
    /** A client cancelled it. */
    CANCELLED("cancelled");

    private final String wireName;

    RunState(String wireName) {
        this.wireName = wireName;
    }

    /** The name in snapshots, in the session state and in AgentCraft's session listings. */
    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    /** The name {@code get_workflow_status} answers, which calls a running workflow {@code running}. */
    public String statusName() {
        return this == RUNNING ? "running" : wireName;
    }

    /**
     * @param wireName a run state as a snapshot names it
     * @return that state; a name this version does not know is {@link #FAILED}, which is how an executor always
     *         treated one it did not recognise: not running, and not completed
     */
    @JsonCreator
    public static RunState fromWireName(String wireName) {
        return WireName.find(RunState.class, wireName).orElse(FAILED);
    }
}

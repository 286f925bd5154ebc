package io.agentrelay.common.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.agentrelay.common.protocol.WireName;

/**
 * Where one node of a workflow run is, as snapshots, {@code get_workflow_status} and {@code get_session_state} name it.
 */
public enum NodeState implements WireName {
    /** Waiting for its predecessors, or not yet started. */
    PENDING("pending"),
    /** Its tool is running. */
    RUNNING("running"),
    /** Its tool returned; its output is kept. */
    COMPLETED("completed"),
    /** Its tool failed, timed out, or could not be run again after a hand-over. */
    FAILED("failed");

    private final String wireName;

    NodeState(String wireName) {
        this.wireName = wireName;
    }

    /** The name in JSON. */
    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    /**
     * @param wireName a node state as JSON names it
     * @return that state; a name this version does not know is {@link #PENDING}, which is how a run resuming from a
     *         snapshot always treated one it did not recognise: it runs the node
     */
    @JsonCreator
    public static NodeState fromWireName(String wireName) {
        return WireName.find(NodeState.class, wireName).orElse(PENDING);
    }
}

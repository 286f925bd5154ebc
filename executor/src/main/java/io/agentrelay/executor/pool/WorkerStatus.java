package io.agentrelay.executor.pool;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** A worker's state as Mahavishnu clients know it. */
public enum WorkerStatus {
    /** Available for work. */
    IDLE,
    /** Running at least one node. */
    BUSY,
    /** Failing. */
    ERROR,
    /** Gone: stopped, or silent for three heartbeats. */
    OFFLINE;

    /** The name in events: lower case. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

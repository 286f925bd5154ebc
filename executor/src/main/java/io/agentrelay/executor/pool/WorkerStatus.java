package io.agentrelay.executor.pool;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import io.agentrelay.common.protocol.WireName;

/** A worker's state as Mahavishnu clients know it. */
public enum WorkerStatus implements WireName {
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
    @Override
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package io.agentrelay.common.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of entity whose events a client can subscribe to. Each has its own event topic,
 * {@code <prefix>.events.<namespace>}.
 */
public enum Namespace implements WireName {
    /** Workflow runs: {@code workflow:<workflowId>}. */
    WORKFLOW,
    /** Chat and DSL sessions: {@code session:<sessionId>}. */
    SESSION,
    /** Tool panels: {@code panel:<panelId>}. */
    PANEL,
    /** Executor pools: {@code pool:<poolId>}. */
    POOL,
    /** Single executors: {@code worker:<workerId>}. */
    WORKER,
    /** One connection's private replies: {@code conn:<connectionId>}. */
    CONN;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name as it appears in channel names and topic names. */
    @Override
    public String wireName() {
        return wireName;
    }

    /**
     * @param wireName a namespace as it appears in a channel name
     * @return the namespace, or empty if there is none of that name
     */
    public static Optional<Namespace> fromWireName(String wireName) {
        return WireName.find(Namespace.class, wireName);
    }
}

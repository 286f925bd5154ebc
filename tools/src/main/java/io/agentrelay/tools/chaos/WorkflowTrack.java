package io.agentrelay.tools.chaos;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One workflow of the run: how its start went and whether its client saw it end. */
final class WorkflowTrack {

    private final String id;
    private final int client;
    private final Set<String> commandIds = ConcurrentHashMap.newKeySet();
    private volatile int attempts;
    private volatile long acknowledgedNanos;
    private volatile String refusal;
    private volatile String outcome;

    WorkflowTrack(String id, int client) {
        this.id = id;
        this.client = client;
    }

    String id() {
        return id;
    }

    String channel() {
        return "workflow:" + id;
    }

    int client() {
        return client;
    }

    void attempted() {
        attempts++;
    }

    void acknowledged(String commandId, long nanos) {
        commandIds.add(commandId);
        acknowledgedNanos = nanos;
    }

    void refused(String reason) {
        refusal = reason;
    }

    /** Called with each event the client's handler received for this workflow. */
    void onEvent(String event) {
        if (outcome == null && (event.equals("workflow.completed") || event.equals("workflow.failed")
            || event.equals("workflow.cancelled"))) {
            outcome = event;
        }
    }

    int attempts() {
        return attempts;
    }

    boolean isAcknowledged() {
        return acknowledgedNanos != 0;
    }

    long acknowledgedNanos() {
        return acknowledgedNanos;
    }

    /** How many distinct commands the relay made of this workflow's attempts; more than one is a broken retry. */
    int commands() {
        return commandIds.size();
    }

    String refusal() {
        return refusal;
    }

    /** The terminal event the client saw, or null. */
    String outcome() {
        return outcome;
    }
}

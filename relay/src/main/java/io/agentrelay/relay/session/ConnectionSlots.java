package io.agentrelay.relay.session;

import java.util.HashMap;
import java.util.Map;

/**
 * A node's connection slots: at most so many in all, and so many per owner (a token's subject, or a remote address).
 * Checking and taking a slot is one step, so connections that arrive together cannot pass either limit. Thread-safe.
 */
final class ConnectionSlots {

    /** What asking for a slot gave. */
    enum Outcome { TAKEN, NODE_FULL, OWNER_FULL }

    private final int perNode;
    private final int perOwner;
    private final Map<String, Integer> byOwner = new HashMap<>();
    private int taken;

    ConnectionSlots(int perNode, int perOwner) {
        this.perNode = perNode;
        this.perOwner = perOwner;
    }

    // One lock for both counts: a connection refused for one limit never holds a slot of the other, even briefly.
    synchronized Outcome take(String owner) {
        if (taken >= perNode) {
            return Outcome.NODE_FULL;
        }
        int held = byOwner.getOrDefault(owner, 0);
        if (held >= perOwner) {
            return Outcome.OWNER_FULL;
        }
        byOwner.put(owner, held + 1);
        taken++;
        return Outcome.TAKEN;
    }

    synchronized void release(String owner) {
        byOwner.computeIfPresent(owner, (key, held) -> held == 1 ? null : held - 1);
        taken--;
    }
}

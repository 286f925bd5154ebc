package io.agentrelay.relay.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's connection slots: at most so many in all, and so many per owner (a token's subject, or a remote address).
 * Checking and taking a slot is one step, so connections that arrive together cannot pass either limit. Thread-safe.
 */
final class ConnectionSlots {

    /** What asking for a slot gave. */
    enum Outcome { TAKEN, NODE_FULL, OWNER_FULL }

    private final int perNode;
    private final int perOwner;
    private final AtomicInteger taken = new AtomicInteger();
    private final Map<String, Integer> byOwner = new ConcurrentHashMap<>();

    ConnectionSlots(int perNode, int perOwner) {
        this.perNode = perNode;
        this.perOwner = perOwner;
    }

    Outcome take(String owner) {
        if (taken.incrementAndGet() > perNode) {
            taken.decrementAndGet();
            return Outcome.NODE_FULL;
        }
        boolean[] room = {false};
        byOwner.compute(owner, (key, held) -> {
            int count = held == null ? 0 : held;
            room[0] = count < perOwner;
            return room[0] ? count + 1 : held;
        });
        if (!room[0]) {
            taken.decrementAndGet();
            return Outcome.OWNER_FULL;
        }
        return Outcome.TAKEN;
    }

    void release(String owner) {
        byOwner.computeIfPresent(owner, (key, held) -> held == 1 ? null : held - 1);
        taken.decrementAndGet();
    }
}

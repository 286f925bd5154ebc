package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether one of the executor's own loops (the command loop, the committer) is alive and coming round, for
 * {@code /health}: a loop that ended, or has been busy with one turn for longer than the stall bound, is down. A loop
 * waiting for work is idle, not stuck. Thread-safe: the loop reports, the health check reads.
 */
final class LoopProgress {

    private final String name;
    private volatile long lastTurn = System.nanoTime();
    private volatile boolean idle;
    private volatile boolean ended;

    LoopProgress(String name) {
        this.name = name;
    }

    /** The loop starts a turn. */
    void turn() {
        idle = false;
        lastTurn = System.nanoTime();
    }

    /** The loop waits for work. */
    void idle() {
        idle = true;
    }

    /** The loop ended, for good. */
    void ended() {
        ended = true;
    }

    /**
     * @param stall how long one turn may take
     * @return what is wrong with the loop, if anything
     */
    Optional<String> problem(Duration stall) {
        if (ended) {
            return Optional.of("the " + name + " stopped");
        }
        long busyMs = Duration.ofNanos(System.nanoTime() - lastTurn).toMillis();
        if (!idle && busyMs > stall.toMillis()) {
            return Optional.of("the " + name + " has been stuck for " + busyMs + " ms");
        }
        return Optional.empty();
    }
}

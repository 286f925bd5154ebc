package io.agentrelay.executor.pool;

import java.time.Instant;

/**
 * What the compacted state topic keeps of a worker (key {@code worker:<id>}): enough for any executor of the pool to
 * answer {@code get_pool_status} and for the pool's owner to notice a worker that went silent.
 *
 * @param workerId       the worker
 * @param poolId         its pool
 * @param status         its status
 * @param running        nodes it runs now
 * @param queued         nodes waiting for one of its tool threads
 * @param tasksCompleted nodes it finished since it started
 * @param lastSeen       its last heartbeat
 */
record WorkerState(String workerId, String poolId, WorkerStatus status, int running, int queued, long tasksCompleted,
                   Instant lastSeen) {

    WorkerState offline(Instant now) {
        return new WorkerState(workerId, poolId, WorkerStatus.OFFLINE, 0, 0, tasksCompleted, now);
    }
}

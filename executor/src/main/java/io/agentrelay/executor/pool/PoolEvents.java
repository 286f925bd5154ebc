package io.agentrelay.executor.pool;

import java.time.Instant;
import java.util.List;

/** The data of the pool's events and answers, in Mahavishnu's shapes. */
final class PoolEvents {

    static final String WORKER_STATUS_CHANGED = "worker.status_changed";
    static final String POOL_STATUS_CHANGED = "pool.status_changed";

    private PoolEvents() {
    }

    record WorkerStatusChanged(String workerId, WorkerStatus status, String poolId, Instant timestamp) {
    }

    record PoolStatusChanged(String poolId, PoolCounts status, Instant timestamp) {
    }

    /**
     * @param activeWorkers  workers not offline
     * @param idleWorkers    workers idle
     * @param queueSize      nodes waiting for a tool thread, over all workers
     * @param tasksCompleted nodes finished, over all workers
     */
    record PoolCounts(int activeWorkers, int idleWorkers, int queueSize, long tasksCompleted) {
    }

    record PoolStatus(String poolId, String status, List<String> workers, int activeWorkers, int idleWorkers) {
    }
}

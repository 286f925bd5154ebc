package io.agentrelay.executor.pool;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every executor's picture of its pool: the latest {@link WorkerState} of each worker, read from the compacted state
 * topic (all of it, from the start, then following).
 */
final class PoolView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PoolView.class);
    private static final String WORKER_KEY_PREFIX = "worker:";

    private final String poolId;
    private final ObjectReader reader = Json.readerFor(WorkerState.class);
    private final Map<String, WorkerState> workers = new ConcurrentHashMap<>();
    private final StateView view;

    PoolView(ExecutorConfig config) {
        this.poolId = config.poolId();
        this.view = new StateView(config.kafka(), "pool-view-" + config.workerId(), this::accept);
    }

    void start() {
        view.start();
    }

    /** The pool's workers as last seen, offline ones included. */
    List<WorkerState> workers() {
        return List.copyOf(workers.values());
    }

    @Override
    public void close() {
        view.close();
    }

    private void accept(String key, byte[] value) {
        if (!key.startsWith(WORKER_KEY_PREFIX) || value == null) {
            return;
        }
        try {
            WorkerState state = reader.readValue(value);
            if (poolId.equals(state.poolId())) {
                workers.put(state.workerId(), state);
            }
        } catch (IOException e) {
            LOG.warn("Skipping unreadable worker state {}", key, e);
        }
    }
}

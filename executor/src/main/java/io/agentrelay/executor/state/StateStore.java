package io.agentrelay.executor.state;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.NodeOutput;
import io.agentrelay.common.state.PanelSnapshot;
import io.agentrelay.runtime.kafka.StateView;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.executor.workflow.Snapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every panel's and workflow's latest committed snapshot, and every node output, read from the state topic: where a
 * new owner finds the entities it takes over. Thread-safe.
 */
public final class StateStore implements Snapshots, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    private static final String PANEL = "panel:";
    private static final String WORKFLOW = "workflow:";
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final Map<String, PanelSnapshot> panels = new ConcurrentHashMap<>();
    private final Map<String, WorkflowSnapshot> workflows = new ConcurrentHashMap<>();
    // By workflow id, then node id.
    private final Map<String, Map<String, JsonNode>> outputs = new ConcurrentHashMap<>();
    private final ObjectReader panelReader = Json.readerFor(PanelSnapshot.class);
    private final ObjectReader workflowReader = Json.readerFor(WorkflowSnapshot.class);
    private final ObjectReader outputReader = Json.readerFor(NodeOutput.class);
    private final StateView view;

    /**
     * @param settings how to reach the state topic
     * @param clientId the consumer's client id
     */
    public StateStore(KafkaSettings settings, String clientId) {
        this.view = new StateView(settings, clientId, this::accept);
    }

    /** Starts reading. */
    public void start() {
        view.start();
    }

    /**
     * Waits until everything committed to the state topic until now was read. With transactions, that includes the
     * last step of an executor that died, once the broker has aborted its open transaction.
     *
     * @throws RelayException with {@code UNAVAILABLE} when the state topic cannot be read in time
     */
    @Override
    public void catchUp(Duration within) {
        try {
            view.caughtUp().get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException(ErrorCode.UNAVAILABLE, "interrupted while reading the state topic");
        } catch (ExecutionException | TimeoutException e) {
            throw new RelayException(ErrorCode.UNAVAILABLE, "the state topic cannot be read right now");
        }
    }

    /**
     * @param panelId a panel
     * @return its latest snapshot, after catching up
     */
    public Optional<PanelSnapshot> latestPanel(String panelId) {
        catchUp(CATCH_UP);
        return Optional.ofNullable(panels.get(panelId));
    }

    /**
     * @param workflowId a workflow
     * @return its latest snapshot as read so far, with the outputs of its completed nodes
     */
    @Override
    public Optional<WorkflowSnapshot> workflow(String workflowId) {
        return Optional.ofNullable(workflows.get(workflowId)).map(this::withOutputs);
    }

    /** Every workflow still running, as read so far, with the outputs of its completed nodes. */
    @Override
    public List<WorkflowSnapshot> runningWorkflows() {
        return workflows.values().stream().filter(WorkflowSnapshot::running).map(this::withOutputs).toList();
    }

    @Override
    public void close() {
        view.close();
    }

    private void accept(String key, byte[] value) {
        try {
            if (key.startsWith(PANEL)) {
                put(panels, key.substring(PANEL.length()), value == null ? null : panelReader.readValue(value));
            } else if (key.startsWith(WORKFLOW)) {
                String workflowId = key.substring(WORKFLOW.length());
                put(workflows, workflowId, value == null ? null : workflowReader.readValue(value));
                if (value == null) {
                    outputs.remove(workflowId);
                }
            } else if (key.startsWith(NodeOutput.KEY_PREFIX) && value != null) {
                NodeOutput output = outputReader.readValue(value);
                outputs.computeIfAbsent(output.workflowId(), id -> new ConcurrentHashMap<>())
                    .put(output.nodeId(), output.output());
            }
        } catch (IOException e) {
            LOG.warn("Skipping unreadable state of {}", key, e);
        }
    }

    private WorkflowSnapshot withOutputs(WorkflowSnapshot snapshot) {
        return snapshot.withResults(outputs.getOrDefault(snapshot.sessionId(), Map.of()));
    }

    private static <T> void put(Map<String, T> map, String id, T value) {
        if (value == null) {
            map.remove(id);
        } else {
            map.put(id, value);
        }
    }
}

package io.agentrelay.executor.panel;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.PanelSnapshot;
import io.agentrelay.common.state.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every panel's latest snapshot, read from the state topic: where a panel's new owner finds it. */
final class PanelStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PanelStore.class);
    private static final String PREFIX = "panel:";
    private static final Duration CATCH_UP = Duration.ofSeconds(15);

    private final Map<String, PanelSnapshot> panels = new ConcurrentHashMap<>();
    private final ObjectReader reader = Json.readerFor(PanelSnapshot.class);
    private final StateView view;

    PanelStore(KafkaSettings settings, String clientId) {
        this.view = new StateView(settings, clientId, this::accept);
    }

    void start() {
        view.start();
    }

    /**
     * The panel's snapshot once everything stored until now was read: what a new owner starts from.
     *
     * @param panelId the panel
     * @return its snapshot, if it exists
     * @throws RelayException with {@code UNAVAILABLE} when the state topic cannot be read in time
     */
    Optional<PanelSnapshot> latest(String panelId) {
        try {
            view.caughtUp().get(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException(ErrorCode.UNAVAILABLE, "interrupted while reading panel state");
        } catch (ExecutionException | TimeoutException e) {
            throw new RelayException(ErrorCode.UNAVAILABLE, "the panel state cannot be read right now");
        }
        return Optional.ofNullable(panels.get(panelId));
    }

    @Override
    public void close() {
        view.close();
    }

    private void accept(String key, byte[] value) {
        if (!key.startsWith(PREFIX)) {
            return;
        }
        String panelId = key.substring(PREFIX.length());
        if (value == null) {
            panels.remove(panelId);
            return;
        }
        try {
            panels.put(panelId, reader.readValue(value));
        } catch (IOException e) {
            LOG.warn("Skipping unreadable panel state {}", key, e);
        }
    }
}

package io.agentrelay.relay.state;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.state.PanelSnapshot;
import io.agentrelay.common.state.RunState;
import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.runtime.kafka.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What exists, as the state topic says: every panel with its latest snapshot, and the sessions of agent work now
 * active. The relay answers from it what a dialect needs at once: whether a panel exists (HTTP 404 at the upgrade),
 * a panel's state ({@code CONNECTED}), and the active sessions ({@code active_sessions}). It is a cache of Kafka,
 * rebuilt at every start. Thread-safe.
 */
public final class EntityDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EntityDirectory.class);
    private static final String PANEL = "panel:";
    private static final String WORKFLOW = "workflow:";

    private final Map<String, PanelSnapshot> panels = new ConcurrentHashMap<>();
    private final Map<String, SessionSnapshot> sessions = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<PanelSnapshot>>> panelWaiters = new ConcurrentHashMap<>();
    private final List<Consumer<SessionsChanged>> sessionListeners = new CopyOnWriteArrayList<>();
    private final ObjectReader panelReader = Json.readerFor(PanelSnapshot.class);
    private final ObjectReader sessionReader = Json.readerFor(SessionSnapshot.class);
    private final StateView view;
    // Touched by the view's thread only.
    private boolean sessionsChanged;
    private final Set<String> unannounced = new HashSet<>();
    private final List<String> ended = new ArrayList<>();
    // Sessions that started and ended within the batch, never announced yet.
    private final Map<String, SessionSnapshot> shortLived = new LinkedHashMap<>();

    /**
     * @param kafka  how to reach the state topic
     * @param nodeId the relay node, for the consumer's client id
     */
    public EntityDirectory(KafkaSettings kafka, String nodeId) {
        this.view = new StateView(kafka, nodeId + "-directory", new Listener());
    }

    /**
     * Starts reading and waits until what the topic holds now is read, so the node answers from a full picture.
     *
     * @param timeout the longest to wait
     * @throws IllegalStateException when the state topic cannot be read in time
     */
    public void start(Duration timeout) {
        view.start();
        try {
            view.caughtUp().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the state topic", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the state topic within " + timeout, e);
        }
    }

    /**
     * @param panelId a panel's id
     * @return its latest snapshot, if the panel exists
     */
    public Optional<PanelSnapshot> panel(String panelId) {
        return Optional.ofNullable(panels.get(panelId));
    }

    /**
     * @param panelId a panel's id
     * @return completes with the panel's snapshot once it exists; at once if it does
     */
    public CompletableFuture<PanelSnapshot> whenPanelExists(String panelId) {
        CompletableFuture<PanelSnapshot> exists = new CompletableFuture<>();
        panelWaiters.computeIfAbsent(panelId, id -> new CopyOnWriteArrayList<>()).add(exists);
        PanelSnapshot now = panels.get(panelId);
        if (now != null) {
            exists.complete(now);
            panelWaiters.computeIfPresent(panelId, (id, waiting) -> {
                waiting.remove(exists);
                return waiting.isEmpty() ? null : waiting;
            });
        }
        return exists;
    }

    /** The active sessions, oldest first. */
    public List<SessionSnapshot> activeSessions() {
        return sessions.values().stream().sorted(Comparator.comparing(SessionSnapshot::startedAt)).toList();
    }

    /**
     * Calls the listener, on the directory's thread, after each batch of records that started or ended sessions. Every
     * session is announced at least once, however short (a short session's start and end often commit together: an
     * executor commits every step queued while its previous commit was under way in one transaction, and a fresh
     * executor's first commits are slow): when sessions started and ended within one batch, the listener is called
     * twice for it, first with them among the active sessions, then without them, never once per such session.
     *
     * @param listener gets the change
     */
    public void onSessionsChanged(Consumer<SessionsChanged> listener) {
        sessionListeners.add(listener);
    }

    @Override
    public void close() {
        view.close();
    }

    private final class Listener implements StateView.Listener {
        @Override
        public void onRecord(String key, byte[] value) {
            try {
                if (key.startsWith(PANEL)) {
                    panel(key.substring(PANEL.length()), value);
                } else if (key.startsWith(WORKFLOW)) {
                    session(key.substring(WORKFLOW.length()), value);
                }
            } catch (IOException e) {
                LOG.warn("Skipping unreadable state of {}", key, e);
            }
        }

        @Override
        public void onBatchEnd() {
            if (!sessionsChanged) {
                return;
            }
            List<SessionSnapshot> active = activeSessions();
            if (!shortLived.isEmpty()) {
                Map<String, SessionSnapshot> withShortLived = new LinkedHashMap<>(shortLived);
                active.forEach(session -> withShortLived.put(session.sessionId(), session));
                announce(new SessionsChanged(withShortLived.values().stream()
                    .sorted(Comparator.comparing(SessionSnapshot::startedAt)).toList(), ended));
                ended.clear();
                ended.addAll(shortLived.keySet());
                shortLived.clear();
            }
            announce(new SessionsChanged(active, ended));
            sessionsChanged = false;
            unannounced.clear();
            ended.clear();
        }

        private void announce(SessionsChanged change) {
            sessionListeners.forEach(listener -> listener.accept(change));
        }

        private void panel(String panelId, byte[] value) throws IOException {
            if (value == null) {
                panels.remove(panelId);
                return;
            }
            PanelSnapshot snapshot = panelReader.readValue(value);
            panels.put(panelId, snapshot);
            List<CompletableFuture<PanelSnapshot>> waiting = panelWaiters.remove(panelId);
            if (waiting != null) {
                waiting.forEach(future -> future.complete(snapshot));
            }
        }

        private void session(String sessionId, byte[] value) throws IOException {
            SessionSnapshot session = value == null ? null : sessionReader.readValue(value);
            // A workflow's snapshot stays after it ended (its owner answers for it from there): active means running.
            if (session != null && session.status() == RunState.RUNNING) {
                if (sessions.put(sessionId, session) == null) {
                    unannounced.add(sessionId);
                }
                sessionsChanged = true;
            } else if (sessions.containsKey(sessionId)) {
                SessionSnapshot last = sessions.remove(sessionId);
                if (unannounced.remove(sessionId)) {
                    shortLived.put(sessionId, last);
                } else {
                    ended.add(sessionId);
                }
                sessionsChanged = true;
            }
        }
    }
}

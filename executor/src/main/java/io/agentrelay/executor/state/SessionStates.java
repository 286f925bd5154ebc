package io.agentrelay.executor.state;

import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.executor.workflow.SessionListener;

/**
 * Keeps the active sessions in the state topic: a snapshot while a session runs, a tombstone when it ends, so that
 * relays can list what is active without asking every executor.
 */
public final class SessionStates implements SessionListener {

    private final StateWriter writer;

    /**
     * @param writer the state topic
     */
    public SessionStates(StateWriter writer) {
        this.writer = writer;
    }

    @Override
    public void changed(SessionSnapshot session) {
        writer.put(SessionSnapshot.key(session.sessionId()), session);
    }

    @Override
    public void ended(String sessionId) {
        writer.delete(SessionSnapshot.key(sessionId));
    }
}

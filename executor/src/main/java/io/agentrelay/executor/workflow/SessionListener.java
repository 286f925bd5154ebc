package io.agentrelay.executor.workflow;

import io.agentrelay.common.state.SessionSnapshot;

/** Told when a workflow, seen as a session of agent work, starts, changes its active agents, or ends. Thread-safe. */
public interface SessionListener {

    /** Tells nobody. */
    SessionListener NONE = new SessionListener() {
        @Override
        public void changed(SessionSnapshot session) {
        }

        @Override
        public void ended(String sessionId) {
        }
    };

    /**
     * @param session the session as it is now
     */
    void changed(SessionSnapshot session);

    /**
     * @param sessionId the session that completed or failed
     */
    void ended(String sessionId);
}

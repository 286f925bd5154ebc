package io.agentrelay.executor.workflow;

/** Told when nodes start and finish, so that the executor can report itself busy or idle. Thread-safe. */
public interface NodeActivity {

    /** Reports nothing. */
    NodeActivity NONE = new NodeActivity() {
        @Override
        public void nodeStarted() {
        }

        @Override
        public void nodeFinished() {
        }
    };

    /** A node was handed to the tool pool. */
    void nodeStarted();

    /** A node completed, failed or timed out. */
    void nodeFinished();
}

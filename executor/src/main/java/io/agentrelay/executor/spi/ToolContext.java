package io.agentrelay.executor.spi;

import java.nio.file.Path;
import java.time.Duration;

/** What a running tool may know and do besides its parameters. */
public interface ToolContext {

    /** The workflow the node belongs to. */
    String workflowId();

    /** The node being run. */
    String nodeId();

    /** The only directory that file tools may read or write. */
    Path sandbox();

    /** The longest a tool may deliberately wait. */
    Duration maxSleep();

    /**
     * Tells the workflow's subscribers how far the node is, as a {@code node.progress} event.
     *
     * @param message a short, human-readable progress note
     */
    void progress(String message);

    /**
     * Tells the workflow's subscribers how far the node is, as a {@code node.progress} event with numbers: an MCP
     * server's {@code notifications/progress}, for example.
     *
     * @param progress how far, growing with each call
     * @param total    what {@code progress} reaches at the end, or null when not known
     * @param message  a short, human-readable progress note, or null
     */
    default void progress(double progress, Double total, String message) {
        progress(note(progress, total, message));
    }

    /**
     * @return the message, or when there is none, the numbers as a note such as {@code progress 3.0 of 10.0}
     */
    static String note(double progress, Double total, String message) {
        return message != null ? message : "progress " + progress + (total == null ? "" : " of " + total);
    }
}

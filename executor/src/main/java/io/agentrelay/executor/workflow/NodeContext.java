package io.agentrelay.executor.workflow;

import java.nio.file.Path;
import java.time.Duration;

import io.agentrelay.executor.spi.ToolContext;

/**
 * The {@link ToolContext} of one node: while it runs, and while the workflow is validated (when reporting progress
 * is a bug).
 *
 * @param workflowId the workflow
 * @param nodeId     the node
 * @param sandbox    the file tools' directory
 * @param maxSleep   the longest deliberate wait
 * @param progress   where progress notes go
 */
record NodeContext(String workflowId, String nodeId, Path sandbox, Duration maxSleep, ProgressSink progress)
    implements ToolContext {

    /** A context for checking parameters before a workflow starts. */
    static NodeContext forValidation(String workflowId, Path sandbox, Duration maxSleep) {
        return new NodeContext(workflowId, "", sandbox, maxSleep, (done, total, message) -> {
            throw new IllegalStateException("tools report progress only while they run");
        });
    }

    @Override
    public void progress(String message) {
        progress.report(null, null, message);
    }

    @Override
    public void progress(double done, Double total, String message) {
        progress.report(done, total, message);
    }

    /** Where a running node's progress goes: numbers, a note, or both. */
    @FunctionalInterface
    interface ProgressSink {
        void report(Double progress, Double total, String message);
    }
}

package io.agentrelay.executor.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

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
record NodeContext(String workflowId, String nodeId, Path sandbox, Duration maxSleep, Consumer<String> progress)
    implements ToolContext {

    /** A context for checking parameters before a workflow starts. */
    static NodeContext forValidation(String workflowId, Path sandbox, Duration maxSleep) {
        return new NodeContext(workflowId, "", sandbox, maxSleep, message -> {
            throw new IllegalStateException("tools report progress only while they run");
        });
    }

    @Override
    public void progress(String message) {
        progress.accept(message);
    }
}

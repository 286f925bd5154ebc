package io.agentrelay.executor.workflow;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;

/**
 * A step that will never be written, however often it is tried: an event or snapshot over its limit or that cannot
 * be serialized, a record Kafka refuses, or a commit that kept failing past {@code EXECUTOR_COMMIT_TIMEOUT_MS}. The
 * step's future fails with it; the entity that made the step fails (a workflow in {@code workflow.failed}) or answers
 * the caller with its message, and every other step goes on.
 */
public final class UnwritableStepException extends RelayException {

    /**
     * @param message why, worded for the client
     */
    public UnwritableStepException(String message) {
        super(ErrorCode.EXECUTION_ERROR, message);
    }

    /**
     * @param failure a step's failure, possibly wrapped by a future
     * @return the unwritable step's exception in it, or null
     */
    public static UnwritableStepException cause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnwritableStepException unwritable) {
                return unwritable;
            }
        }
        return null;
    }
}

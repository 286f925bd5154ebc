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

    private final boolean afterAFailedStep;

    /**
     * @param message why, worded for the client
     */
    public UnwritableStepException(String message) {
        this(message, false);
    }

    private UnwritableStepException(String message, boolean afterAFailedStep) {
        super(ErrorCode.EXECUTION_ERROR, message);
        this.afterAFailedStep = afterAFailedStep;
    }

    /**
     * @return the failure of a step dropped because an earlier step of its workflow, panel or session failed, after
     *         which its entity must say nothing else
     */
    public static UnwritableStepException afterAFailedStep() {
        return new UnwritableStepException("an earlier step of the same workflow, panel or session could not be "
            + "written", true);
    }

    /** @return whether the step was dropped because an earlier step of its entity failed, which reported it */
    public boolean isAfterAFailedStep() {
        return afterAFailedStep;
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

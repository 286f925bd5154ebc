package io.agentrelay.executor.workflow;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;

/** A request to run a workflow whose id another request already used: nothing ran, and the requester is told why. */
public final class WorkflowRefusedException extends RelayException {

    private final String workflowId;

    WorkflowRefusedException(String workflowId, String message) {
        super(ErrorCode.INVALID_REQUEST, message);
        this.workflowId = workflowId;
    }

    /** The workflow the request named. */
    public String workflowId() {
        return workflowId;
    }
}

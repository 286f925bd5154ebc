package io.agentrelay.executor.workflow;

/** A workflow cannot run as sent: a cycle, an unknown tool, a missing field, bad parameters or too many nodes. */
final class InvalidWorkflowException extends Exception {

    InvalidWorkflowException(String message) {
        super(message);
    }
}

package io.agentrelay.executor.spi;

/** A tool failed, or its parameters are invalid. The message reaches clients: word it for them. */
public class ToolException extends Exception {

    /**
     * @param message what went wrong
     */
    public ToolException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}

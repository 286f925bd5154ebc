package io.agentrelay.common.protocol;

import java.util.Objects;

/**
 * The base of Agent Relay's own exceptions: a failure with a stable {@link ErrorCode} that can be sent to a client as
 * it is.
 */
public class RelayException extends RuntimeException {

    private final ErrorCode code;

    /**
     * @param code    the code sent to the client
     * @param message what went wrong, worded for the client
     */
    public RelayException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code    the code sent to the client
     * @param message what went wrong, worded for the client
     * @param cause   the underlying failure
     */
    public RelayException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The code sent to the client. */
    public ErrorCode code() {
        return code;
    }
}

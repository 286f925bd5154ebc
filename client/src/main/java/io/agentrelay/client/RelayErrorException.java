package io.agentrelay.client;

import java.util.Optional;

import io.agentrelay.common.protocol.ErrorCode;

/** The relay answered a request with an error frame. */
public final class RelayErrorException extends RuntimeException {

    /** The error code as the relay sent it. */
    private final String errorCode;

    RelayErrorException(String errorCode, String message) {
        super(errorCode + ": " + message);
        this.errorCode = errorCode;
    }

    /**
     * The error code as the relay sent it.
     *
     * @return the code, such as {@code UNAVAILABLE}
     */
    public String errorCode() {
        return errorCode;
    }

    /**
     * The error code, if it is one this SDK knows; {@link ErrorCode#retriable()} says whether sending the same
     * request later may succeed.
     *
     * @return the code, or empty for a code newer than this SDK
     */
    public Optional<ErrorCode> code() {
        try {
            return Optional.of(ErrorCode.valueOf(errorCode));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

package io.agentrelay.relay.dialect;

import java.util.Optional;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;

/** A frame could not be decoded into a request; the error frame echoes the request id when one could be read. */
public final class InvalidFrameException extends RelayException {

    private final String requestId;

    /**
     * @param code      the error code for the client
     * @param message   what is wrong, worded for the client
     * @param requestId the frame's request id, or {@code null} when it had none
     */
    public InvalidFrameException(ErrorCode code, String message, String requestId) {
        super(code, message);
        this.requestId = requestId;
    }

    /** The id of the request that failed, if the frame carried one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}

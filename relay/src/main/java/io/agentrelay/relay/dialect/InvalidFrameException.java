package io.agentrelay.relay.dialect;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
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

    /**
     * Reads a frame that must be one JSON object, the form of every dialect's frames.
     *
     * @param text   the frame
     * @param prefix how the dialect words the start of a parse error, such as {@code Invalid message format}
     * @return the object
     * @throws InvalidFrameException with {@link ErrorCode#PARSE_ERROR} when it is not JSON or not an object
     */
    public static ObjectNode parseObject(String text, String prefix) {
        JsonNode root;
        try {
            root = Json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidFrameException(ErrorCode.PARSE_ERROR, prefix + ": " + e.getOriginalMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidFrameException(ErrorCode.PARSE_ERROR, prefix + ": expected a JSON object", null);
        }
        return (ObjectNode) root;
    }

    /** The id of the request that failed, if the frame carried one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}

package io.agentrelay.common.protocol;

/**
 * The stable error codes sent to clients in error frames, and carried by {@link RelayException}.
 *
 * <p>{@link #retriable()} tells a client whether the same request may succeed later unchanged.
 */
public enum ErrorCode {
    /** The frame is not valid JSON, or not a JSON object. */
    PARSE_ERROR(false, "The frame is not a valid JSON object"),
    /** The request is known, but a field is missing or has a bad value. */
    INVALID_REQUEST(false, "The request is invalid"),
    /** The request type is not one this endpoint knows. */
    UNKNOWN_REQUEST(false, "Unknown request type"),
    /** The channel name is not {@code <namespace>:<id>} or {@code global}, or the namespace is unknown. */
    INVALID_CHANNEL(false, "Invalid channel name"),
    /** No valid credentials were presented. */
    UNAUTHORIZED(false, "Authentication required"),
    /** The credentials do not allow this request. */
    FORBIDDEN(false, "Not allowed"),
    /** The entity the request names does not exist. */
    NOT_FOUND(false, "Not found"),
    /** The panel named does not exist. */
    PANEL_NOT_FOUND(false, "Panel not found"),
    /** The panel has no tool of that name. */
    TOOL_NOT_FOUND(false, "Tool not found"),
    /** A panel tool's handler failed; the panel's state is unchanged. */
    EXECUTION_ERROR(false, "Execution failed"),
    /** The connection sent more than its rate allows; retry after a pause. */
    RATE_LIMITED(true, "Rate limit exceeded"),
    /** The backend (Kafka) cannot take the request right now; retry later. */
    UNAVAILABLE(true, "Service temporarily unavailable"),
    /** An unexpected failure on the server. */
    SERVER_ERROR(true, "Internal server error");

    private final boolean retriable;
    private final String defaultMessage;

    ErrorCode(boolean retriable, String defaultMessage) {
        this.retriable = retriable;
        this.defaultMessage = defaultMessage;
    }

    /** Whether the same request may succeed when sent again later. */
    public boolean retriable() {
        return retriable;
    }

    /** A human-readable message for when nothing more specific is known. */
    public String defaultMessage() {
        return defaultMessage;
    }
}

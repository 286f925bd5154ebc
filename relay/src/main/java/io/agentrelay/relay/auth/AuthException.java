package io.agentrelay.relay.auth;

/** A token is missing, malformed, wrongly signed, expired or not yet valid; the message says which. */
public final class AuthException extends Exception {

    AuthException(String message) {
        super(message);
    }

    AuthException(String message, Throwable cause) {
        super(message, cause);
    }
}

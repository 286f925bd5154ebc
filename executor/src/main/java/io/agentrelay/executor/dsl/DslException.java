package io.agentrelay.executor.dsl;

/** DSL text that does not compile; the message names the command and the problem, for the client. */
public final class DslException extends Exception {

    DslException(String message) {
        super(message);
    }
}

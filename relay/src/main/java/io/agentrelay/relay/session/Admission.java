package io.agentrelay.relay.session;

/** The answer to a new connection: a session, or the close code and reason that refuse it. */
public sealed interface Admission {

    /**
     * The connection has a slot.
     *
     * @param session its session
     */
    record Admitted(Session session) implements Admission {
    }

    /**
     * The node, or the connection's owner, has no slot left.
     *
     * @param code   the WebSocket close code
     * @param reason the close reason
     */
    record Refused(int code, String reason) implements Admission {
    }
}

package io.agentrelay.relay.session;

/**
 * A frame waiting in a session's outbox, with the channel position it carries, if any, so that the session knows what
 * the client has been sent once it is written.
 *
 * @param bytes   the encoded frame, shared with other sessions: never modified
 * @param channel the channel of the event in it, or null
 * @param pos     the event's position, or null
 */
record Outgoing(byte[] bytes, String channel, String pos) {

    static Outgoing plain(byte[] bytes) {
        return new Outgoing(bytes, null, null);
    }
}

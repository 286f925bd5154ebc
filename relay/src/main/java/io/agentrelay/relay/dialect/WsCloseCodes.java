package io.agentrelay.relay.dialect;

/** The WebSocket close codes the relay sends (RFC 6455, section 7.4.1). */
public final class WsCloseCodes {

    /** The relay is shutting down. */
    public static final int GOING_AWAY = 1001;
    /** The client broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** The client violated policy, such as flooding. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame was larger than {@code RELAY_MAX_FRAME_BYTES}. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** An unexpected failure on the relay, such as its event reader ending: reconnect (elsewhere) and resume. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client read too slowly and its outbox filled up: reconnect and resume. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The connection's token expired: get a fresh token, reconnect and resume. */
    public static final int TOKEN_EXPIRED = 4001;

    private WsCloseCodes() {
    }
}

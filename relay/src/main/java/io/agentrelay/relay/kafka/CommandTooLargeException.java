package io.agentrelay.relay.kafka;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;

/**
 * A command larger than Kafka takes: the client's error ({@link ErrorCode#INVALID_REQUEST} on a socket, 413 over
 * HTTP), never a sign that Kafka is in trouble.
 */
public final class CommandTooLargeException extends RelayException {

    CommandTooLargeException(String message, Throwable cause) {
        super(ErrorCode.INVALID_REQUEST, message, cause);
    }
}

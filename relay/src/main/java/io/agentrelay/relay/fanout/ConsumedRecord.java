package io.agentrelay.relay.fanout;

import io.agentrelay.common.protocol.Position;

/**
 * An event record as the {@link EventSource} read it: the value is still JSON, parsed only once the
 * {@link Dispatcher} knows that someone on this node wants it.
 *
 * @param channel   the record's key, the event's channel
 * @param value     the event, as JSON
 * @param position  where the record sits
 * @param writtenAt the record's timestamp, in epoch milliseconds
 */
record ConsumedRecord(String channel, byte[] value, Position position, long writtenAt) {
}

package io.agentrelay.relay.fanout;

/**
 * An event record as the {@link EventSource} read it: the value is still JSON, parsed only once the
 * {@link Dispatcher} knows that someone on this node wants it, and the record's place is kept as read, made into a
 * {@link io.agentrelay.common.protocol.Position} only then too.
 *
 * @param channel   the record's key, the event's channel
 * @param value     the event, as JSON
 * @param topic     the event topic it was read from
 * @param partition its partition
 * @param offset    its offset
 * @param writtenAt the record's timestamp, in epoch milliseconds
 */
record ConsumedRecord(String channel, byte[] value, String topic, int partition, long offset, long writtenAt) {
}

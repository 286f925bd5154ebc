package io.agentrelay.common.protocol;

import java.util.Objects;

/**
 * Where an event sits in Kafka: the topic incarnation, the partition and the offset. Clients see it as the opaque
 * string {@code pos}; it is their resume point and their dedupe key.
 *
 * @param incarnation the topic's id, which changes when a topic is deleted and created again
 * @param partition   the partition of the channel's key
 * @param offset      the record's offset in that partition; -1 names the point before the partition's first record
 */
public record Position(String incarnation, int partition, long offset) {

    private static final char SEPARATOR = '.';

    /** Validates the parts. */
    public Position {
        Objects.requireNonNull(incarnation, "incarnation");
        if (incarnation.isEmpty() || incarnation.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("incarnation must be non-empty and have no '.', but was " + incarnation);
        }
        if (partition < 0 || offset < -1) {
            throw new IllegalArgumentException("partition must not be negative and offset not below -1, but were "
                + partition + " and " + offset);
        }
    }

    /** The opaque string sent to clients as {@code pos}. */
    public String encode() {
        return incarnation + SEPARATOR + partition + SEPARATOR + offset;
    }

    /**
     * Reads a {@code pos} that a client sent back.
     *
     * @param pos a string from {@link #encode()}
     * @return the position
     * @throws RelayException with {@link ErrorCode#INVALID_REQUEST} when it is not one
     */
    public static Position decode(String pos) {
        int second = pos == null ? -1 : pos.lastIndexOf(SEPARATOR);
        int first = second <= 0 ? -1 : pos.lastIndexOf(SEPARATOR, second - 1);
        if (first <= 0) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "pos '" + pos + "' is not a position from this relay");
        }
        try {
            return new Position(pos.substring(0, first), Integer.parseInt(pos.substring(first + 1, second)),
                Long.parseLong(pos.substring(second + 1)));
        } catch (IllegalArgumentException e) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "pos '" + pos + "' is not a position from this relay", e);
        }
    }

    /**
     * @param partitionOffset the offset of the next record, as a consumer's position
     * @param incarnation     the topic's incarnation
     * @param partition       the partition
     * @return the position just before that record: resuming after it reads from {@code partitionOffset} on
     */
    public static Position before(String incarnation, int partition, long partitionOffset) {
        return new Position(incarnation, partition, partitionOffset - 1);
    }

    @Override
    public String toString() {
        return encode();
    }
}

package io.agentrelay.runtime.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

/**
 * Kafka's default partitioner function, so that a relay knows which partition holds a channel before any record of it
 * arrives.
 */
public final class Partitions {

    private Partitions() {
    }

    /**
     * The partition that the Kafka producer's default partitioner picks for a record with this key: murmur2 of the
     * UTF-8 key bytes, made positive, modulo the partition count.
     *
     * @param key           a record key, such as a channel name
     * @param numPartitions the topic's partition count
     * @return the partition
     */
    public static int forKey(String key, int numPartitions) {
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("numPartitions must be positive, but was " + numPartitions);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }
}

package io.agentrelay.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    @Test
    void shouldPickTheSamePartitionAsTheKafkaProducer() {
        for (int partitions : new int[] {1, 3, 12, 50}) {
            for (int i = 0; i < 1_000; i++) {
                String key = "workflow:wf-" + i;
                assertThat(Partitions.forKey(key, partitions))
                    .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }
}

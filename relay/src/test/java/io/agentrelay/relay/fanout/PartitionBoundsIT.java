package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.runtime.kafka.ChannelHistory;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a resume is told about retention, against the real broker, whose log start moves as records are deleted. */
@ExtendWith(KafkaExtension.class)
class PartitionBoundsIT {

    @Test
    void aResumeJoiningAReadLearnsWhatRetentionDeletedSinceTheReadBegan(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        TopicPartition partition = new TopicPartition(prefix.value() + ".bounds", 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                 ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                 new StringSerializer(), new StringSerializer());
             ChannelHistory history = ChannelHistory.open(kafka.bootstrapServers(), "bounds-it",
                 Duration.ofSeconds(10))) {
            admin.createTopics(List.of(new NewTopic(partition.topic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(partition.topic(), "workflow:wf", "event " + i));
            }
            producer.flush();
            deleteBefore(admin, partition, 4);

            PartitionBounds turn = new PartitionBounds(() -> history, partition);
            assertThat(turn.keptFrom(2)).isEqualTo(4);
            assertThat(turn.keptFrom(6)).isEqualTo(6);

            // The turn's read is at offset 8 when retention deletes up to 7 and another resume arrives.
            deleteBefore(admin, partition, 7);
            PartitionBounds joining = turn.askedAgain(8);
            assertThat(joining.keptFrom(5)).as("told recovered only if offset 5 is still there").isEqualTo(7);
            assertThat(joining.keptFrom(9)).isEqualTo(9);
        }
    }

    private static void deleteBefore(Admin admin, TopicPartition partition, long offset) throws Exception {
        admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(offset))).all().get(30, TimeUnit.SECONDS);
    }
}

package io.agentrelay.relay;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.agentrelay.runtime.kafka.Partitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka transaction left open on one partition, as another executor's transaction under way, or a fresh executor's
 * slow first commit: {@code read_committed} readers (the relay's) see nothing of the partition past its first record
 * until it ends. Tests use it to hold back what executors commit there meanwhile, and release it all at once.
 */
final class HeldTransaction implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private boolean open;

    private HeldTransaction(KafkaProducer<String, String> producer) {
        this.producer = producer;
    }

    /**
     * Opens a transaction with one record on the partition that holds a key.
     *
     * @param bootstrapServers the broker
     * @param topic            the topic
     * @param partitions       its partition count
     * @param key              a key of the partition to hold
     * @return the open transaction
     */
    static HeldTransaction onPartitionOf(String bootstrapServers, String topic, int partitions, String key)
        throws Exception {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "held-" + UUID.randomUUID()),
            new StringSerializer(), new StringSerializer());
        HeldTransaction held = new HeldTransaction(producer);
        producer.initTransactions();
        producer.beginTransaction();
        held.open = true;
        // A key nobody reads as an entity or a channel, on the partition of the one to hold.
        producer.send(new ProducerRecord<>(topic, Partitions.forKey(key, partitions), "held:" + key, "{}"))
            .get(10, TimeUnit.SECONDS);
        return held;
    }

    /** Aborts the transaction: readers go on past it, and see what was committed behind it. */
    void release() {
        if (open) {
            open = false;
            producer.abortTransaction();
        }
    }

    @Override
    public void close() {
        release();
        producer.close();
    }
}

package io.agentrelay.executor.state;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes entity snapshots to the compacted state topic, keyed by entity, with an idempotent producer so that a
 * key's snapshots land in the order written. Thread-safe.
 */
public final class StateWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);

    private final String topic;
    private final Producer<String, byte[]> producer;

    /**
     * @param settings how to reach Kafka, and the state topic's name
     * @param clientId the producer's client id
     */
    public StateWriter(KafkaSettings settings, String clientId) {
        this.topic = settings.topics().state();
        this.producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ProducerConfig.CLIENT_ID_CONFIG, clientId,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 1,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000),
            new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * @param key      the entity key, such as {@code panel:todo}
     * @param snapshot the entity's latest state, a record
     * @return completes once stored
     */
    public CompletableFuture<Void> put(String key, Record snapshot) {
        return send(key, Json.toBytes(snapshot));
    }

    /**
     * Writes a tombstone: compaction then forgets the entity.
     *
     * @param key the entity key
     * @return completes once stored
     */
    public CompletableFuture<Void> delete(String key) {
        return send(key, null);
    }

    private CompletableFuture<Void> send(String key, byte[] value) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, failure) -> {
                if (failure == null) {
                    stored.complete(null);
                } else {
                    LOG.error("State of {} was not stored", key, failure);
                    stored.completeExceptionally(failure);
                }
            });
        } catch (KafkaException e) {
            LOG.error("State of {} was not stored", key, e);
            stored.completeExceptionally(e);
        }
        return stored;
    }

    /** Sends what is buffered and closes. */
    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

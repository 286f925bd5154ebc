package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.JsonSerde;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.executor.workflow.EventSink;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to their namespace's event topic, keyed by channel, with an idempotent producer so that retries
 * neither duplicate nor reorder a channel's events. Thread-safe.
 */
public final class KafkaEventSink implements EventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
    private static final Duration MAX_BLOCK = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaSettings settings;
    private final Producer<String, Event> producer;

    /**
     * @param settings how to reach Kafka and the topic names
     * @param clientId the producer's client id, for broker logs and quotas
     */
    public KafkaEventSink(KafkaSettings settings, String clientId) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
            ProducerConfig.CLIENT_ID_CONFIG, clientId,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            // Events are small and latency matters more than batching.
            ProducerConfig.LINGER_MS_CONFIG, 1,
            // Never hang a tool thread or a shutdown on a broker that is gone.
            ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis()),
            new StringSerializer(), JsonSerde.of(Event.class));
    }

    @Override
    public CompletableFuture<Long> publish(Event event) {
        String topic = settings.topics().events(event.channel().namespace());
        CompletableFuture<Long> stored = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, event.channel().name(), event), (metadata, failure) -> {
                if (failure == null) {
                    stored.complete(metadata.offset());
                    return;
                }
                // The producer already retried retriable errors until delivery.timeout.ms; the event is lost to
                // live subscribers, so say so loudly with enough to find it.
                LOG.error("Event {} {} on {} was not published ({}retriable)", event.event(), event.id(),
                    event.channel(), failure instanceof RetriableException ? "" : "not ", failure);
                stored.completeExceptionally(failure);
            });
        } catch (KafkaException e) {
            LOG.error("Event {} {} on {} was not published", event.event(), event.id(), event.channel(), e);
            stored.completeExceptionally(e);
        }
        return stored;
    }

    /** Sends what is buffered, waiting at most a few seconds for a broker that may be gone, and closes. */
    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}

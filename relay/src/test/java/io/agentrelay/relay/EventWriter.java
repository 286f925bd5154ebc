package io.agentrelay.relay;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes numbered events straight to a channel's event topic, the way an executor does, so that tests control
 * exactly what a channel carries.
 */
final class EventWriter implements AutoCloseable {

    private final KafkaProducer<String, Event> producer;
    private final Topics topics;

    EventWriter(String bootstrapServers, String prefix) {
        this.topics = new Topics(prefix);
        this.producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
            new StringSerializer(), JsonSerde.of(Event.class));
    }

    /** Publishes {@code tick {seq, pad}} and waits for Kafka's acknowledgement. */
    RecordMetadata tick(Channel.Scoped channel, int seq, int padBytes) throws Exception {
        return tickAt(channel, seq, padBytes, null);
    }

    /** Publishes {@code tick {seq, pad}} with the given record time, as if it had happened then. */
    RecordMetadata tickAt(Channel.Scoped channel, int seq, int padBytes, Long timestamp) throws Exception {
        Event event = Event.of(channel, "tick", Json.object().put("seq", seq).put("pad", "x".repeat(padBytes)));
        return producer.send(new ProducerRecord<>(topics.events(channel.namespace()), null, timestamp,
            channel.name(), event)).get(10, TimeUnit.SECONDS);
    }

    /** Publishes an event now and waits for Kafka's acknowledgement. */
    RecordMetadata write(Event event) throws Exception {
        return producer.send(new ProducerRecord<>(topics.events(event.channel().namespace()), event.channel().name(),
            event)).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}

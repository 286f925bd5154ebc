package io.agentrelay.tools.bench;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** The events the benchmarks publish, and the producers that write them. */
final class BenchEvents {

    private BenchEvents() {
    }

    /**
     * A producer tuned for latency (no linger) with the durability the executors ask for: acknowledged by every
     * in-sync replica.
     */
    static KafkaProducer<String, Event> producer(String bootstrapServers, String clientId) {
        return new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.CLIENT_ID_CONFIG, clientId,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 0),
            new StringSerializer(), JsonSerde.of(Event.class));
    }

    /**
     * A transactional producer, as executors write events: every event becomes visible to {@code read_committed}
     * readers (the relay) only once its transaction commits. It asks again 10 ms after {@code CONCURRENT_TRANSACTIONS}
     * as the executor's step producer does (Kafka's default is 100 ms), which a transaction that begins while the
     * broker still writes the previous commit's markers meets.
     */
    static KafkaProducer<String, Event> transactionalProducer(String bootstrapServers, String clientId) {
        KafkaProducer<String, Event> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.CLIENT_ID_CONFIG, clientId,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId + "-" + UUID.randomUUID(),
            ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10,
            ProducerConfig.LINGER_MS_CONFIG, 0),
            new StringSerializer(), JsonSerde.of(Event.class));
        producer.initTransactions();
        return producer;
    }

    /** {@code bench.tick {seq, pad}}, stamped now: the receiver's latency is its arrival minus this time. */
    static Event tick(Channel.Scoped channel, long seq, String pad) {
        return tick(channel, seq, pad, Instant.now());
    }

    /** {@code bench.tick {seq, pad}}, stamped {@code at}: when it was due, which may be before it was written. */
    static Event tick(Channel.Scoped channel, long seq, String pad, Instant at) {
        return new Event(UUID.randomUUID().toString(), channel, "bench.tick",
            Json.object().put("seq", seq).put("pad", pad), at, null, null);
    }
}

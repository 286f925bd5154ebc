package io.agentrelay.executor.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.testkit.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed event of some namespaces, read as a relay reads them. */
final class CommittedEvents implements AutoCloseable {

    private final List<Event> seen = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, Event> consumer;
    private final Thread reader;
    private volatile boolean closed;

    CommittedEvents(EmbeddedKafka kafka, ExecutorConfig config, Namespace... namespaces) {
        consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(), JsonSerde.of(Event.class));
        List<TopicPartition> partitions = new ArrayList<>();
        for (Namespace namespace : namespaces) {
            String topic = config.kafka().topics().events(namespace);
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(() -> {
            while (!closed) {
                for (ConsumerRecord<String, Event> record : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(record.value());
                }
            }
            consumer.close();
        }, "committed-events");
        reader.start();
    }

    /** The events of channels whose id is this one ({@code workflow:<id>}, {@code panel:<id>} …), in order. */
    List<Event> of(String id) {
        return seen.stream().filter(event -> event.channel().id().equals(id)).toList();
    }

    boolean has(String workflowId, String name, String nodeId) {
        return of(workflowId).stream().anyMatch(event -> event.event().equals(name)
            && (nodeId == null || nodeId.equals(event.data().path("node_id").asText())));
    }

    /** The answers to one request, on whichever channel. */
    List<Event> answers(String requestId) {
        return seen.stream().filter(event -> requestId.equals(event.correlationId())).toList();
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

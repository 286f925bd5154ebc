package io.agentrelay.tools.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The two Kafka hops under every workflow's first event, without the relay and the executor: a plain producer writes
 * a command, a {@code read_committed} consumer reads it (the executor's hop), a transactional producer writes one event
 * for it and commits, and a second {@code read_committed} consumer reads that (the relay's hop). One sample at a time,
 * on topics of its own, so that its figures compare with a run that starts workflows one after another.
 */
final class TwoHopFloor implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);

    private final Admin admin;
    private final List<String> topicNames;
    private final KafkaProducer<String, String> commands;
    private final KafkaProducer<String, String> events;
    private final Map<String, Sample> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> readers;

    /** One chain's times, from {@link System#nanoTime()}. */
    record Hops(long commandNanos, long eventNanos) {

        long totalNanos() {
            return commandNanos + eventNanos;
        }
    }

    private record Sample(long sent, CompletableFuture<Long> commandRead, CompletableFuture<Long> eventRead) {
    }

    TwoHopFloor(KafkaOptions kafka) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String commandTopic = kafka.topicPrefix + ".bench.floor-commands-" + suffix;
        String eventTopic = kafka.topicPrefix + ".bench.floor-events-" + suffix;
        this.topicNames = List.of(commandTopic, eventTopic);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers));
        try {
            admin.createTopics(topicNames.stream().map(name -> new NewTopic(name, Optional.of(1), Optional.empty()))
                .toList()).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            admin.close(Duration.ZERO);
            throw new IllegalStateException("Kafka at " + kafka.bootstrapServers + " did not create the floor's "
                + "topics (is --bootstrap-servers right?): "
                + (e instanceof TimeoutException ? "no answer within 30 s" : e.getCause()), e);
        }
        this.commands = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
        this.events = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-floor-" + suffix,
            ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
        events.initTransactions();
        this.readers = List.of(
            reader(kafka, commandTopic, record -> {
                Sample sample = inFlight.get(record.value());
                if (sample != null) {
                    sample.commandRead().complete(System.nanoTime());
                    events.beginTransaction();
                    events.send(new ProducerRecord<>(eventTopic, record.key(), record.value()));
                    events.commitTransaction();
                }
            }),
            reader(kafka, eventTopic, record -> {
                Sample sample = inFlight.remove(record.value());
                if (sample != null) {
                    sample.eventRead().complete(System.nanoTime());
                }
            }));
    }

    /** Sends one command through both hops and waits for its event. */
    Hops sample() throws Exception {
        String id = UUID.randomUUID().toString();
        Sample sample = new Sample(System.nanoTime(), new CompletableFuture<>(), new CompletableFuture<>());
        inFlight.put(id, sample);
        commands.send(new ProducerRecord<>(topicNames.get(0), "workflow:" + id, id));
        long eventRead = sample.eventRead().get(30, TimeUnit.SECONDS);
        long commandRead = sample.commandRead().get();
        return new Hops(commandRead - sample.sent(), eventRead - commandRead);
    }

    private Thread reader(KafkaOptions kafka, String topic, Consumer<ConsumerRecord<String, String>> onRecord) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new StringDeserializer());
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition);
        Thread thread = new Thread(() -> {
            try (consumer) {
                while (!stop.get()) {
                    consumer.poll(POLL).forEach(onRecord);
                }
            }
        }, "floor-" + topic);
        thread.start();
        return thread;
    }

    /** Stops the readers and deletes the topics; an interrupt cuts the waits short and stays set for the caller. */
    @Override
    public void close() throws ExecutionException, TimeoutException {
        stop.set(true);
        try (admin; commands; events) {
            for (Thread reader : readers) {
                reader.join();
            }
            admin.deleteTopics(topicNames).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

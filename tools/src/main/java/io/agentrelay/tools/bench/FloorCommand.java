package io.agentrelay.tools.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay bench floor}: the Kafka hop alone. The publisher's producer writes the same events at the same rate to
 * a topic of its own, and a consumer configured as the relay's fan-out consumer reads them; the latency from the time
 * in the event to the consumer is the least any relay on this broker can have, so the relay's own cost is its
 * latency minus this one, measured in the same run.
 */
@Command(name = "floor", mixinStandardHelpOptions = true,
    description = "Measures a bare Kafka producer-to-consumer hop: the latency floor under the relay.")
final class FloorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--rate", defaultValue = "1000", description = "Events a second (${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "SECONDS", description = "Before measuring.")
    int warmup;

    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS", description = "Measured time.")
    int duration;

    @Option(names = "--payload", defaultValue = "100", paramLabel = "BYTES", description = "Padding per event.")
    int payload;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Write the latency distribution (ms).")
    Path hgrm;

    @Override
    public Integer call() throws Exception {
        String topic = kafka.topicPrefix + ".bench.floor-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all()
                .get(30, TimeUnit.SECONDS);
            try {
                return measure(topic);
            } finally {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private int measure(String topic) throws Exception {
        Recorder latency = new Recorder(3_600_000_000L, 3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        TopicPartition partition = new TopicPartition(topic, 0);
        KafkaConsumer<String, Event> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), JsonSerde.of(Event.class));
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition);
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (!stop.get()) {
                    for (ConsumerRecord<String, Event> record : consumer.poll(Duration.ofMillis(100))) {
                        Instant now = Instant.now();
                        if (measuring.get()) {
                            long micros = Duration.between(record.value().ts(), now).toNanos() / 1_000;
                            latency.recordValue(Math.max(0, micros));
                            received.incrementAndGet();
                        }
                    }
                }
            }
        }, "floor-consumer");
        reader.start();

        Channel.Scoped channel = Channel.Scoped.parseScoped("workflow:bench-floor");
        String pad = "x".repeat(payload);
        long warmupNanos = TimeUnit.SECONDS.toNanos(warmup);
        long endNanos = warmupNanos + TimeUnit.SECONDS.toNanos(duration);
        long windowStart = 0;
        Pacer pacer = new Pacer(rate);
        try (KafkaProducer<String, Event> producer = BenchEvents.producer(kafka.bootstrapServers, "bench-floor")) {
            for (long seq = 0; pacer.elapsedNanos() < endNanos; seq++) {
                if (windowStart == 0 && pacer.elapsedNanos() >= warmupNanos) {
                    latency.reset();
                    measuring.set(true);
                    windowStart = System.nanoTime();
                }
                pacer.await();
                producer.send(new ProducerRecord<>(topic, channel.name(), BenchEvents.tick(channel, seq, pad)));
            }
            producer.flush();
        }
        // The events sent last are still on their way: let them arrive before closing the window.
        long windowNanos = System.nanoTime() - windowStart;
        TimeUnit.MILLISECONDS.sleep(500);
        measuring.set(false);
        stop.set(true);
        reader.join();
        Histogram histogram = latency.getIntervalHistogram();
        report(histogram, received.get(), windowNanos);
        return 0;
    }

    private void report(Histogram h, long received, long windowNanos) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        double perSecond = received / (windowNanos / 1e9);
        out.printf("%n== kafka floor: producer -> consumer on %s ==%n", kafka.bootstrapServers);
        out.printf("  %-20s %d in %.1f s: %.0f/s%n", "events received", received, windowNanos / 1e9, perSecond);
        out.printf("  %-20s %s%n", "event latency ms", LoadReport.line(h));
        out.printf("  %-20s relay %s%n", "command",
            String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        out.flush();
        if (json != null) {
            ObjectNode root = Json.object()
                .put("label", "kafka floor")
                .put("events_delivered", received)
                .put("events_per_second", Math.round(perSecond * 1000) / 1000.0);
            root.set("event_latency_ms", LoadReport.percentiles(h));
            Files.write(json, Json.toBytes(root));
        }
        if (hgrm != null) {
            LoadReport.write(h, hgrm);
        }
    }
}

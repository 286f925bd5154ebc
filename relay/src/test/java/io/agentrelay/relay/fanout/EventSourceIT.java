package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.runtime.kafka.TopicProvisioner;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event source alone, against the real broker, with a dispatcher that records what it is handed: what it reads,
 * from where, and when its read waiters complete.
 */
@ExtendWith(KafkaExtension.class)
class EventSourceIT {

    private static final Channel.Scoped CHANNEL = Channel.of(Namespace.WORKFLOW, "wf-source");

    @Test
    void readsAWantedPartitionFromItsEndDispatchesBeforeWaitersAndSkipsKeylessRecords(EmbeddedKafka kafka,
                                                                                       TopicPrefix prefix)
        throws Exception {
        KafkaSettings settings = settings(kafka, prefix);
        ChannelPartitions partitions = new ChannelPartitions(settings.topics(), eventTopics(settings));
        TopicPartition partition = partitions.partitionOf(CHANNEL);
        Recording dispatcher = new Recording();
        LongAdder read = new LongAdder();
        try (KafkaProducer<String, byte[]> producer = producer(kafka);
             EventSource source = new EventSource(settings, partitions, "source-it", read::increment, dispatcher)) {
            source.start();
            RecordMetadata before = send(producer, partition, CHANNEL.name(), "before");

            dispatcher.wanted.add(partition);
            Optional<Position> liveStart = source.liveStart(partition).get(30, TimeUnit.SECONDS);
            // Published while nobody wanted the partition: never dispatched; the live start is just after it.
            assertThat(liveStart).contains(partitions.before(partition, before.offset() + 1));

            send(producer, partition, null, "no key");
            RecordMetadata last = send(producer, partition, CHANNEL.name(), "after");
            List<String> seenByWaiter = source.whenRead(partition, last.offset() + 1)
                .thenApply(ignored -> dispatcher.values()).get(30, TimeUnit.SECONDS);

            assertThat(seenByWaiter).containsExactly("after");
            assertThat(dispatcher.records).singleElement().satisfies(record -> {
                assertThat(record.channel()).isEqualTo(CHANNEL.name());
                assertThat(record.topic()).isEqualTo(partition.topic());
                assertThat(record.partition()).isEqualTo(partition.partition());
                assertThat(record.offset()).isEqualTo(last.offset());
            });
            // The keyless record was read and counted, not dispatched.
            assertThat(read.sum()).isEqualTo(2);

            dispatcher.wanted.clear();
            // A partition nobody reads has nothing to wait for.
            TopicPartition unread = new TopicPartition(partition.topic(), 1 - partition.partition());
            assertThat(source.whenRead(unread, 1_000)).succeedsWithin(Duration.ofSeconds(30));
        }
        assertThat(dispatcher.values()).containsExactly("after");
    }

    @Test
    void answersEveryRequestOnceItsConsumerThreadFailedOrStopped(EmbeddedKafka kafka, TopicPrefix prefix)
        throws Exception {
        KafkaSettings settings = settings(kafka, prefix);
        ChannelPartitions partitions = new ChannelPartitions(settings.topics(), eventTopics(settings));
        TopicPartition partition = partitions.partitionOf(CHANNEL);
        Recording dispatcher = new Recording();
        dispatcher.failing = true;
        EventSource source = new EventSource(settings, partitions, "source-it", () -> { }, dispatcher);
        try (KafkaProducer<String, byte[]> producer = producer(kafka); source) {
            source.start();
            dispatcher.wanted.add(partition);
            assertThat(source.liveStart(partition)).succeedsWithin(Duration.ofSeconds(30));
            assertThat(source.isRunning()).isTrue();
            // A dispatcher that throws ends the consumer thread (a bug, not a Kafka error that is retried).
            send(producer, partition, CHANNEL.name(), "breaks the dispatcher");
            // (Awaitility would fail on the thread's uncaught exception, which is the point here.)
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> !source.isRunning());

            // A subscribe after that is refused at once, and says why, rather than waiting forever.
            assertThat(source.liveStart(partition)).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(RelayException.class,
                    failure -> assertThat(failure.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(source.followInterest()).failsWithin(Duration.ofSeconds(10));
            assertThat(source.whenRead(partition, 1_000)).succeedsWithin(Duration.ofSeconds(10));
        }
        // The same once the node closed it.
        assertThat(source.liveStart(partition)).failsWithin(Duration.ofSeconds(10));
    }

    private static KafkaSettings settings(EmbeddedKafka kafka, TopicPrefix prefix) {
        return KafkaSettings.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
            "RELAY_TOPIC_PREFIX", prefix.value(), "RELAY_TOPIC_PARTITIONS", "2"));
    }

    private static Map<String, TopicInfo> eventTopics(KafkaSettings settings) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            settings.bootstrapServers()))) {
            return new TopicProvisioner(admin, settings, Duration.ofSeconds(30)).ensureTopics().entrySet().stream()
                .filter(entry -> settings.topics().namespaceOfEvents(entry.getKey()).isPresent())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static RecordMetadata send(KafkaProducer<String, byte[]> producer, TopicPartition partition, String key,
                                       String value) throws Exception {
        return producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), key,
            value.getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
    }

    /** Wants what the test says, and keeps what it is handed. */
    private static final class Recording implements Dispatcher {

        final Set<TopicPartition> wanted = ConcurrentHashMap.newKeySet();
        final List<ConsumedRecord> records = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public Set<TopicPartition> wantedPartitions() {
            return Set.copyOf(wanted);
        }

        @Override
        public void dispatch(ConsumedRecord record) {
            if (failing) {
                throw new IllegalStateException("a dispatcher bug, for the test");
            }
            records.add(record);
        }

        List<String> values() {
            return records.stream().map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
        }
    }
}

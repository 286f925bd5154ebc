package io.agentrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

    @Test
    void shouldKeepRecordsAcrossARestartOnTheSamePort() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew()) {
            String topic = "restart-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produce(kafka, topic, "before");

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();

            produce(kafka, topic, "after");
            assertThat(readAll(kafka, topic, 2)).containsExactly("before", "after");
        }
    }

    @Test
    void shouldStartWhenTheChosenPortsCollide() {
        int port = EmbeddedKafka.freeLoopbackPorts(1)[0];

        try (EmbeddedKafka kafka = EmbeddedKafka.startNew(port, port)) {
            assertThat(kafka.isRunning()).isTrue();
        }
    }

    @Test
    void shouldStartWhenAChosenPortWasTakenMeanwhile() throws Exception {
        int[] ports = EmbeddedKafka.freeLoopbackPorts(2);
        try (ServerSocket taken = new ServerSocket(ports[0], 1, InetAddress.getLoopbackAddress());
             EmbeddedKafka kafka = EmbeddedKafka.startNew(ports[0], ports[1])) {
            assertThat(kafka.bootstrapServers()).isNotEqualTo("127.0.0.1:" + taken.getLocalPort());
            String topic = "moved-" + System.nanoTime();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produce(kafka, topic, "moved");
            assertThat(readAll(kafka, topic, 1)).containsExactly("moved");
        }
    }

    @Test
    void shouldRetryAHeldTransactionalProduceAfter5MsUnlessOverridden() throws Exception {
        String retry = "add.partitions.to.txn.retry.backoff.ms";
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew()) {
            assertThat(brokerSetting(kafka, retry)).isEqualTo("5");
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew(Map.of(retry, "20"))) {
            assertThat(brokerSetting(kafka, retry)).isEqualTo("20");
        }
    }

    private static String brokerSetting(EmbeddedKafka kafka, String name) throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker).get(name).value();
        }
    }

    private static void produce(EmbeddedKafka kafka, String topic, String value) throws Exception {
        Map<String, Object> config = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(EmbeddedKafka kafka, String topic, int expected) {
        Map<String, Object> config = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }
}

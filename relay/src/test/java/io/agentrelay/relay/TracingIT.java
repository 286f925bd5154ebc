package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.common.trace.Traceparent;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One trace id from a client's command, through the command record, to every event its work published. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class TracingIT {

    @Test
    void shouldCarryTheCommandsTraceIdToEveryEventOfItsWork(EmbeddedKafka kafka, LocalCluster cluster)
        throws Exception {
        RelayConnection client = cluster.connect(0);
        Frames frames = new Frames();
        client.addListener(frames);
        client.subscribe("workflow:wf-traced").get(10, TimeUnit.SECONDS);
        Envelope accepted = client.request("execute_workflow", Workflows.diamond("wf-traced"))
            .get(10, TimeUnit.SECONDS);
        String traceId = accepted.data().path("trace_id").asText();
        assertThat(traceId).matches("[0-9a-f]{32}");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> frames.eventNames("workflow:wf-traced").contains("workflow.completed"));

        Topics topics = new Topics(cluster.prefix().value());
        List<Traceparent> commandTraces = traces(kafka, topics.commands(), "workflow:wf-traced", 1);
        assertThat(commandTraces).singleElement().extracting(Traceparent::traceId).isEqualTo(traceId);
        int events = frames.events("workflow:wf-traced").size();
        List<Traceparent> eventTraces = traces(kafka, topics.events(Namespace.WORKFLOW),
            "workflow:wf-traced", events);
        assertThat(eventTraces).hasSize(events).allSatisfy(trace -> assertThat(trace.traceId()).isEqualTo(traceId));
        assertThat(eventTraces).extracting(Traceparent::spanId).as("each step a span of its own")
            .doesNotContain(commandTraces.get(0).spanId());
    }

    /** The traceparent headers of a key's records, read from the start. */
    private static List<Traceparent> traces(EmbeddedKafka kafka, String topic, String key, int expected) {
        List<Traceparent> traces = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
            new ByteArrayDeserializer())) {
            consumer.assign(consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        Header header = record.headers().lastHeader(Traceparent.HEADER);
                        traces.add(Traceparent.parse(header == null ? null : header.value()).orElseThrow());
                    }
                }
                return traces.size() >= expected;
            });
        }
        return traces;
    }
}

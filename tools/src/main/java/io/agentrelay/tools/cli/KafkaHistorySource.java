package io.agentrelay.tools.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.runtime.kafka.ChannelHistory;
import io.agentrelay.runtime.kafka.Partitions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/** Reads history straight from the event topics in Kafka, so that no relay needs to run. */
final class KafkaHistorySource implements HistorySource {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final String bootstrapServers;
    private final Topics topics;

    KafkaHistorySource(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topics = new Topics(topicPrefix);
    }

    @Override
    public long read(ReadScope scope, Instant from, Instant to, EventQuery query, Sink sink) {
        List<String> names = scope.namespaces().stream().map(topics::events).toList();
        long[] count = {0};
        boolean[] stopped = {false};
        try (ChannelHistory history = ChannelHistory.open(bootstrapServers, "relay-cli", KAFKA_TIMEOUT)) {
            Map<String, TopicDescription> described = describe(names);
            for (Namespace namespace : scope.namespaces()) {
                String topic = topics.events(namespace);
                int partitions = history.partitionCount(topic);
                String incarnation = described.get(topic).topicId().toString();
                List<Integer> read = scope instanceof ReadScope.OneChannel one
                    ? List.of(Partitions.forKey(one.channel().name(), partitions))
                    : IntStream.range(0, partitions).boxed().toList();
                for (int p : read) {
                    TopicPartition partition = new TopicPartition(topic, p);
                    long start = history.offsetAt(partition, from.toEpochMilli());
                    long end = to == null ? history.endOffset(partition)
                        : history.offsetAt(partition, to.toEpochMilli() + 1);
                    if (start < end) {
                        history.read(partition, start, end, scope::includes, (channel, historic) -> {
                            // Answers addressed to one connection are not the channel's story.
                            if (historic.event().to() != null || !query.matches(historic.event())) {
                                return true;
                            }
                            count[0]++;
                            stopped[0] = !sink.accept(Envelope.event(historic.event(),
                                new Position(incarnation, p, historic.offset()), true));
                            return !stopped[0];
                        });
                    }
                    if (stopped[0]) {
                        return count[0];
                    }
                }
            }
            return count[0];
        } catch (IllegalArgumentException e) {
            throw new SourceException(e.getMessage() + " at " + bootstrapServers + " (is --topic-prefix right?)",
                RelayCli.USAGE);
        } catch (KafkaException e) {
            throw new SourceException("cannot reach Kafka at " + bootstrapServers + ": " + e.getMessage(),
                RelayCli.UNREACHABLE);
        }
    }

    private Map<String, TopicDescription> describe(List<String> names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()))) {
            return admin.describeTopics(names).allTopicNames().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        } catch (Exception e) {
            throw new KafkaException(e.getMessage(), e);
        }
    }
}

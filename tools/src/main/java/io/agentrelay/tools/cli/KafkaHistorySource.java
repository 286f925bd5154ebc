package io.agentrelay.tools.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.common.state.WorkflowSnapshot;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.runtime.kafka.ChannelHistory;
import io.agentrelay.runtime.kafka.Partitions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads history straight from the event topics in Kafka, so that no relay needs to run. */
final class KafkaHistorySource implements HistorySource {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final Topics topics;
    private volatile ChannelHistory following;
    private volatile boolean stopped;

    KafkaHistorySource(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topics = new Topics(topicPrefix);
    }

    @Override
    public long read(ReadScope scope, Instant from, Instant to, EventQuery query, Sink sink) {
        return withHistory(history -> new Reading(history, scope, query, sink).history(from, to, new HashMap<>()));
    }

    /**
     * Reads a scope's history from a time up to now, then its events as they are committed, until the sink stops or
     * {@link #stop} is called. Live reading starts at the offsets where the history ended, per partition, so no
     * event is missed or printed twice between the two.
     *
     * @param from the first moment of the history, or null to print new events only
     * @return how many events the sink received
     */
    long follow(ReadScope scope, Instant from, EventQuery query, Sink sink) {
        return withHistory(history -> {
            following = history;
            if (stopped) {
                return 0L;
            }
            Reading reading = new Reading(history, scope, query, sink);
            Map<TopicPartition, Long> next = new HashMap<>();
            reading.history(from, null, next);
            if (!reading.stopped) {
                history.follow(next, scope::includes, (partition, channel, historic) ->
                    reading.emit(partition, historic));
            }
            return reading.count;
        });
    }

    /**
     * Reads the one partition of the compacted state topic that holds the workflow's snapshots (the producers' default
     * partitioner on its key), keeping the last committed one.
     */
    @Override
    public Optional<WorkflowState> workflowState(String workflowId) {
        String key = WorkflowSnapshot.key(workflowId);
        String topic = topics.state();
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.CLIENT_ID_CONFIG, "relay-cli-state",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()),
            new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                throw new SourceException("the state topic " + topic + " does not exist at " + bootstrapServers
                    + " (is --topic-prefix right?)", RelayCli.USAGE);
            }
            TopicPartition partition = new TopicPartition(topic, Partitions.forKey(key, partitions.size()));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), KAFKA_TIMEOUT).get(partition);
            byte[] last = null;
            while (consumer.position(partition, KAFKA_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("partition " + partition
                        + " not read to its end");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (key.equals(record.key())) {
                        // A tombstone (null) means the workflow's snapshot was removed.
                        last = record.value();
                    }
                }
            }
            return last == null ? Optional.empty()
                : Optional.of(WorkflowState.of(Json.readerFor(WorkflowSnapshot.class).readValue(last)));
        } catch (KafkaException e) {
            throw new SourceException("cannot read the state topic " + topic + " at " + bootstrapServers
                + " within " + KAFKA_TIMEOUT.toSeconds() + " s: " + e.getMessage(), RelayCli.UNREACHABLE);
        } catch (IOException e) {
            throw new SourceException("unreadable snapshot of " + key + ": " + e.getMessage(), RelayCli.UNREACHABLE);
        }
    }

    /** Ends a {@link #follow} (from a shutdown hook): it returns once its reader noticed. */
    void stop() {
        stopped = true;
        ChannelHistory history = following;
        if (history != null) {
            history.wakeup();
        }
    }

    private long withHistory(ToLongFunction<ChannelHistory> reading) {
        try (ChannelHistory history = ChannelHistory.open(bootstrapServers, "relay-cli", KAFKA_TIMEOUT)) {
            return reading.applyAsLong(history);
        } catch (IllegalArgumentException e) {
            throw new SourceException(e.getMessage() + " at " + bootstrapServers + " (is --topic-prefix right?)",
                RelayCli.USAGE);
        } catch (WakeupException e) {
            // Stopped while asking Kafka something, before following.
            return 0;
        } catch (KafkaException e) {
            throw new SourceException("cannot reach Kafka at " + bootstrapServers + " (--bootstrap-servers or "
                + "$KAFKA_BOOTSTRAP_SERVERS; --url reads through a relay instead): " + e.getMessage(),
                RelayCli.UNREACHABLE);
        }
    }

    /** One read of a scope: which partitions hold it, and what has been handed to the sink. */
    private final class Reading {
        private final ChannelHistory history;
        private final ReadScope scope;
        private final EventQuery query;
        private final Sink sink;
        private final List<TopicPartition> partitions;
        private final Map<String, String> incarnations = new HashMap<>();
        private long count;
        private boolean stopped;

        Reading(ChannelHistory history, ReadScope scope, EventQuery query, Sink sink) {
            this.history = history;
            this.scope = scope;
            this.query = query;
            this.sink = sink;
            this.partitions = partitions();
            describe(scope.namespaces().stream().map(topics::events).toList())
                .forEach((topic, description) -> incarnations.put(topic, description.topicId().toString()));
        }

        /**
         * Reads the history between two times in record time across partitions, each partition (so each channel) in
         * its exact order.
         *
         * @param from the first moment, inclusive, or null for none: new events only, whatever their record time
         * @param to   the last moment, inclusive, or null for all committed now
         * @param next filled with the offset after the range read, per partition
         * @return how many events the sink received
         */
        long history(Instant from, Instant to, Map<TopicPartition, Long> next) {
            Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
            for (TopicPartition partition : partitions) {
                Long first = from == null ? null : history.offsetAt(partition, from.toEpochMilli());
                long end = to == null ? history.endOffset(partition)
                    : history.offsetAt(partition, to.toEpochMilli() + 1);
                long start = first == null ? end : first;
                ranges.put(partition, new long[] {start, Math.max(start, end)});
                next.put(partition, Math.max(start, end));
            }
            history.readMerged(ranges, scope::includes, (partition, channel, historic) -> emit(partition, historic));
            return count;
        }

        /** The partitions that hold the scope: its channel's, or all of its namespaces'. */
        private List<TopicPartition> partitions() {
            List<TopicPartition> all = new ArrayList<>();
            for (Namespace namespace : scope.namespaces()) {
                String topic = topics.events(namespace);
                int partitions = history.partitionCount(topic);
                List<Integer> read = scope instanceof ReadScope.OneChannel one
                    ? List.of(Partitions.forKey(one.channel().name(), partitions))
                    : IntStream.range(0, partitions).boxed().toList();
                read.forEach(p -> all.add(new TopicPartition(topic, p)));
            }
            return all;
        }

        /** Hands an event to the sink unless it is not part of the story; returns whether to go on. */
        boolean emit(TopicPartition partition, ChannelHistory.HistoricEvent historic) {
            // Answers addressed to one connection are not the channel's story.
            if (historic.event().to() != null || !query.matches(historic.event())) {
                return true;
            }
            count++;
            stopped = !sink.accept(Envelope.event(historic.event(),
                new Position(incarnations.get(partition.topic()), partition.partition(), historic.offset()), true));
            return !stopped;
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

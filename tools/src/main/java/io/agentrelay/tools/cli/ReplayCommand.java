package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.agentrelay.common.history.ChannelHistory;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.topic.Partitions;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relay replay <channel> --from T1 --to T2}: prints what a channel saw between two times, read straight from
 * the event topic in Kafka, so that no relay needs to run. For debugging a workflow after the fact.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Print a channel's events between two times as JSON lines, read straight from Kafka.")
final class ReplayCommand implements Callable<Integer> {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel, such as workflow:wf-1.")
    String channelName;

    @Option(names = "--from", required = true, paramLabel = "TIME",
        description = "First moment, inclusive, ISO-8601 (e.g. 2026-11-23T10:00:00Z).")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", description = "Last moment, inclusive (default: now).")
    Instant to;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
        description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS, else ${DEFAULT-VALUE}).",
        defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
        description = "Topic prefix (default: $RELAY_TOPIC_PREFIX, else ${DEFAULT-VALUE}).",
        defaultValue = "${env:RELAY_TOPIC_PREFIX:-relay}")
    String topicPrefix;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Channel.Scoped channel = EventLines.channel(spec.commandLine(), channelName);
        Instant until = to == null ? Instant.now() : to;
        if (until.isBefore(from)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to " + until + " is before --from " + from);
        }
        String topic = new Topics(topicPrefix).events(channel.namespace());
        try (ChannelHistory history = ChannelHistory.open(bootstrapServers, "relay-cli", KAFKA_TIMEOUT)) {
            TopicPartition partition = new TopicPartition(topic,
                Partitions.forKey(channel.name(), history.partitionCount(topic)));
            String incarnation = incarnation(topic);
            long start = history.offsetAt(partition, from.toEpochMilli());
            long end = history.offsetAt(partition, until.toEpochMilli() + 1);
            long[] lastReport = {System.nanoTime()};
            long count = start >= end ? 0 : history.read(partition, channel.name(), start, end, historic -> {
                Position position = new Position(incarnation, partition.partition(), historic.offset());
                EventLines.print(out, Envelope.event(historic.event(), position, true));
                if (System.nanoTime() - lastReport[0] > PROGRESS_EVERY_NANOS) {
                    err.printf("… at offset %d of %d%n", historic.offset(), end);
                    err.flush();
                    lastReport[0] = System.nanoTime();
                }
                return true;
            });
            if (count == 0) {
                err.println("no events of " + channel + " between " + from + " and " + until);
            } else {
                err.println(count + " events of " + channel + " between " + from + " and " + until);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + " at " + bootstrapServers + " (is --topic-prefix right?)");
            return RelayCli.USAGE;
        } catch (KafkaException e) {
            err.println("cannot reach Kafka at " + bootstrapServers + ": " + e.getMessage());
            return RelayCli.UNREACHABLE;
        }
    }

    private String incarnation(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(KAFKA_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS).get(topic).topicId().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        } catch (Exception e) {
            throw new KafkaException(e.getMessage(), e);
        }
    }
}

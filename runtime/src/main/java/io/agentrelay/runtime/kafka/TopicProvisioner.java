package io.agentrelay.runtime.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.agentrelay.common.topic.TopicInfo;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.runtime.config.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Agent Relay's topics when they are missing and describes them. Relays and executors both call it at start,
 * so either may come up first; a topic that exists is left as it is.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration METADATA_RETRY = Duration.ofMillis(100);

    private final Admin admin;
    private final KafkaSettings settings;
    private final Duration timeout;

    /**
     * @param admin    an admin client of the cluster; not closed here
     * @param settings topic names, partition count, replication and retention
     * @param timeout  how long each step may take
     */
    public TopicProvisioner(Admin admin, KafkaSettings settings, Duration timeout) {
        this.admin = admin;
        this.settings = settings;
        this.timeout = timeout;
    }

    /**
     * Creates whichever of the command, event and state topics are missing, then describes them all.
     *
     * @return each topic's description, by name
     * @throws TopicSetupException when Kafka does not answer in time or refuses
     */
    public Map<String, TopicInfo> ensureTopics() {
        Topics topics = settings.topics();
        Optional<Short> replication = settings.replicationFactor() == 0
            ? Optional.empty() : Optional.of((short) settings.replicationFactor());
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(topics.commands(), Optional.of(settings.partitions()), replication));
        for (String events : topics.allEvents()) {
            wanted.add(new NewTopic(events, Optional.of(settings.partitions()), replication)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(settings.eventRetention().toMillis()))));
        }
        wanted.add(new NewTopic(topics.state(), Optional.of(settings.partitions()), replication)
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));

        CreateTopicsResult created = admin.createTopics(wanted);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> result : created.values().entrySet()) {
            try {
                result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created topic {}", result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new TopicSetupException("cannot create topic " + result.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new TopicSetupException("Kafka at " + settings.bootstrapServers()
                    + " did not answer within " + timeout.toMillis() + " ms while creating " + result.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicSetupException("interrupted while creating topics", e);
            }
        }
        return describe(wanted.stream().map(NewTopic::name).toList());
    }

    /**
     * Describes the topics, asking again while the broker does not know a topic yet: a topic just created by the
     * controller reaches the brokers' metadata a moment later.
     */
    private Map<String, TopicInfo> describe(List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return describeOnce(names);
            } catch (TopicSetupException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.debug("Topics not known to the broker yet; asking again");
                try {
                    Thread.sleep(METADATA_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new TopicSetupException("interrupted while describing topics", interrupted);
                }
            }
        }
    }

    private Map<String, TopicInfo> describeOnce(List<String> names) {
        try {
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, TopicInfo> infos = new LinkedHashMap<>();
            for (String name : names) {
                TopicDescription description = descriptions.get(name);
                infos.put(name, new TopicInfo(name, description.topicId().toString(), description.partitions().size()));
            }
            return infos;
        } catch (ExecutionException e) {
            throw new TopicSetupException("cannot describe topics " + names, e.getCause());
        } catch (TimeoutException e) {
            throw new TopicSetupException("Kafka at " + settings.bootstrapServers() + " did not describe topics within "
                + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while describing topics", e);
        }
    }

    /** The topics could not be created or described. */
    public static final class TopicSetupException extends RuntimeException {
        TopicSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package io.agentrelay.tools.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** How many copies Kafka keeps of the relay's topics: what a broker's death may cost. */
final class TopicReplication {

    private TopicReplication() {
    }

    /**
     * @return such as {@code 7 topics, replication factor 3, min.insync.replicas 2}, with every value found when the
     *     topics differ
     */
    static String describe(String bootstrapServers, Topics topics) throws Exception {
        List<String> names = new ArrayList<>();
        names.add(topics.commands());
        names.add(topics.state());
        for (Namespace namespace : Namespace.values()) {
            names.add(topics.events(namespace));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                .get(30, TimeUnit.SECONDS);
            TreeSet<Integer> replicas = new TreeSet<>();
            described.values().forEach(topic -> topic.partitions()
                .forEach(partition -> replicas.add(partition.replicas().size())));
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList())
                .all().get(30, TimeUnit.SECONDS);
            TreeSet<String> minIsr = new TreeSet<>();
            configs.values().forEach(config -> minIsr.add(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()));
            return names.size() + " topics, replication factor " + join(replicas) + ", min.insync.replicas "
                + join(minIsr);
        }
    }

    private static String join(TreeSet<?> values) {
        return values.size() == 1 ? String.valueOf(values.first()) : values.toString();
    }
}

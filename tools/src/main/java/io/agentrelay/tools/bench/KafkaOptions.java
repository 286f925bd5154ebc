package io.agentrelay.tools.bench;

import picocli.CommandLine.Option;

/** Where the commands that talk to Kafka directly (benchmarks, the chaos check) find it. */
public final class KafkaOptions {

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
        description = "Kafka (${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "${env:RELAY_TOPIC_PREFIX:-relay}",
        description = "Topic prefix (${DEFAULT-VALUE}).")
    public String topicPrefix;
}

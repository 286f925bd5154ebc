package io.agentrelay.executor.consume;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Executors of one test that hand work over to one another, on the test's own topics: the first one started, more as
 * the test starts them, commands sent as relays send them, and the committed events of the namespaces the test reads.
 * Sessions and transactions time out within seconds, so that a dead executor's partitions and open transaction move
 * on quickly.
 */
final class HandOverExecutors implements AutoCloseable {

    private final Map<String, String> env;
    private final ExecutorConfig first;
    private final List<ExecutorNode> executors = new ArrayList<>();
    private final KafkaProducer<String, Command> commands;
    private final CommittedEvents events;

    HandOverExecutors(EmbeddedKafka kafka, TopicPrefix prefix, Path sandbox, Namespace... read) {
        this(kafka, prefix, sandbox, ToolRegistry.withPlugins(), read);
    }

    /** Executors whose first one calls these tools. */
    HandOverExecutors(EmbeddedKafka kafka, TopicPrefix prefix, Path sandbox, ToolRegistry tools, Namespace... read) {
        this(kafka, prefix, sandbox, tools, Map.of(), read);
    }

    /** Executors whose first one calls these tools, with these settings added to the test's. */
    HandOverExecutors(EmbeddedKafka kafka, TopicPrefix prefix, Path sandbox, ToolRegistry tools,
                      Map<String, String> settings, Namespace... read) {
        env = TestExecutors.env(kafka, prefix, sandbox);
        env.put("EXECUTOR_SESSION_TIMEOUT_MS", "6000");
        env.put("EXECUTOR_TRANSACTION_TIMEOUT_MS", "2000");
        env.putAll(settings);
        first = config("executor-1");
        executors.add(ExecutorNode.start(first, tools));
        commands = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(), JsonSerde.of(Command.class));
        events = new CommittedEvents(kafka, first, read);
    }

    /** The settings of another executor of the same group and pool. */
    ExecutorConfig config(String workerId) {
        Map<String, String> own = new HashMap<>(env);
        own.put("EXECUTOR_WORKER_ID", workerId);
        return ExecutorConfig.fromEnv(own);
    }

    /** The first executor's settings. */
    ExecutorConfig first() {
        return first;
    }

    /** The executors running, the first one first; the test may stop some and add others. */
    List<ExecutorNode> executors() {
        return executors;
    }

    CommittedEvents events() {
        return events;
    }

    /** Sends a command to the command topic, keyed by its entity, as a relay does. */
    void send(Command command) throws Exception {
        commands.send(new ProducerRecord<>(first.kafka().topics().commands(), command.target().name(), command)).get();
    }

    @Override
    public void close() {
        executors.forEach(ExecutorNode::close);
        commands.close();
        events.close();
    }
}

package io.agentrelay.executor.panel;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.runtime.kafka.JsonSerde;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.common.protocol.PanelDefinition;
import io.agentrelay.common.trace.Traceparent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Asks for the panels an executor was started with: a {@code create_panel} command per definition, which the
 * panel's owner carries out unless the panel exists. Any executor may start with any panels; only owners create.
 */
public final class PanelBootstrap {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private PanelBootstrap() {
    }

    /**
     * @param kafka    how to reach the command topic
     * @param workerId the executor, named as the commands' sender
     * @param panels   the definitions
     * @throws IllegalStateException when Kafka does not take the commands in time
     */
    public static void requestAll(KafkaSettings kafka, String workerId, List<PanelDefinition> panels) {
        if (panels.isEmpty()) {
            return;
        }
        Channel.Scoped sender = Channel.of(Namespace.CONN, "executor-" + workerId);
        try (Producer<String, Command> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.CLIENT_ID_CONFIG, workerId + "-panel-bootstrap",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis()),
            new StringSerializer(), JsonSerde.of(Command.class))) {
            for (PanelDefinition panel : panels) {
                CommandPayload.CreatePanel create = new CommandPayload.CreatePanel(panel);
                Command command = new Command(UUID.randomUUID(), "panel-file-" + panel.id(), create.target(), sender,
                    new Principal(workerId, Map.of()), create, Instant.now());
                ProducerRecord<String, Command> record =
                    new ProducerRecord<>(kafka.topics().commands(), create.target().name(), command);
                // Every command carries a trace, as the ones relays publish do: a panel's creation starts its own.
                record.headers().add(Traceparent.HEADER, Traceparent.newTrace().bytes());
                Future<RecordMetadata> sent = producer.send(record);
                sent.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish the panel definitions: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the panel definitions", e);
        }
    }
}

package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.topic.Topics;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command too large for Kafka is its sender's error, on a socket and over HTTP; it never opens the circuit that
 * refuses every client's commands while Kafka is down. The relay here takes frames and bodies of 4 MiB, larger than
 * Kafka takes a command, and its command topic takes records of at most 256 KiB, less than the relay's own check.
 */
@ExtendWith(KafkaExtension.class)
class CommandSizeIT {

    private static final int TOPIC_MAX_BYTES = 256 * 1024;

    @TempDir
    Path sandbox;

    private LocalCluster cluster;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(new Topics(prefix.value()).commands(), 3, (short) 1)
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(TOPIC_MAX_BYTES)))))
                .all().get(30, TimeUnit.SECONDS);
        }
        cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_MAX_FRAME_BYTES", String.valueOf(4 * 1024 * 1024)));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void shouldAnswerTooLargeCommandsAsTheSendersErrorAndKeepServingEveryoneElse() throws Exception {
        RelayConnection sender = cluster.connect(0);
        RelayConnection bystander = cluster.connect(0);

        for (int i = 0; i < 3; i++) {
            assertThat(errorOf(sender, workflow("wf-huge-" + i, 1100 * 1024))).as("over the relay's own check")
                .isEqualTo("INVALID_REQUEST");
            assertThat(errorOf(sender, workflow("wf-large-" + i, 300 * 1024))).as("over the topic's limit")
                .isEqualTo("INVALID_REQUEST");
        }
        HttpResponse<String> overHttp = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(cluster.http(0, "/api/workflows"))
                .POST(HttpRequest.BodyPublishers.ofString(Json.toText(workflow("wf-http", 1100 * 1024)))).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(overHttp.statusCode()).isEqualTo(413);
        assertThat(Json.readTree(overHttp.body()).path("error_code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(bystander.request("execute_workflow", Workflows.echo("wf-small", "hi")).get(10, TimeUnit.SECONDS)
            .data().path("status").asText()).isEqualTo("accepted");
    }

    private static ObjectNode workflow(String id, int messageChars) {
        return Workflows.echo(id, "x".repeat(messageChars));
    }

    private static String errorOf(RelayConnection client, ObjectNode workflow) throws Exception {
        try {
            return client.request("execute_workflow", workflow).get(30, TimeUnit.SECONDS).data().path("status")
                .asText();
        } catch (ExecutionException e) {
            return e.getCause() instanceof RelayErrorException error ? error.errorCode() : e.getCause().toString();
        }
    }
}

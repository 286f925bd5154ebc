package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class ConnectionLimitIT {

    @Test
    void shouldRefuseConnectionsPastTheLimitAndKeepServingTheOthers(
        EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
                 Map.of("RELAY_MAX_CONNECTIONS", "2"))) {
            RelayConnection first = cluster.connect(0);
            RelayConnection second = cluster.connect(0);

            assertThatThrownBy(() -> RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1013 connection limit of 2 reached");

            assertThat(first.request("ping", Json.object()).get(10, TimeUnit.SECONDS).type()).isEqualTo("response");
            second.close();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (RelayConnection third = RelayConnection.connect(cluster.webSocket(0), Duration.ofSeconds(5))) {
                    assertThat(third.connectionId()).isNotBlank();
                }
            });
        }
    }
}

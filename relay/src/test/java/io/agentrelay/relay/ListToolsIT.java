package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A client sees the tools a pool offers, through a relay, as a builder's palette needs them. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class ListToolsIT {

    @Test
    void shouldAnswerEveryToolOfThePoolWithItsDescriptionAndInputSchema(LocalCluster cluster) throws Exception {
        RelayConnection client = cluster.connect(0);

        Envelope answer = client.request("list_tools", Json.object().put("pool_id", cluster.poolId()))
            .get(30, TimeUnit.SECONDS);

        assertThat(answer.data().path("pool_id").asText()).isEqualTo(cluster.poolId());
        List<JsonNode> tools = StreamSupport.stream(answer.data().path("tools").spliterator(), false).toList();
        assertThat(tools).extracting(tool -> tool.path("name").asText())
            .contains("echo", "sleep", "write_file", "read_file", "fail");
        JsonNode echo = tools.stream().filter(tool -> tool.path("name").asText().equals("echo")).findFirst()
            .orElseThrow();
        assertThat(echo.path("description").asText()).isNotBlank();
        assertThat(echo.path("input_schema").path("properties").path("message").path("type").asText())
            .isEqualTo("string");
        assertThat(echo.path("input_schema").path("required")).extracting(JsonNode::asText).containsExactly("message");
    }
}

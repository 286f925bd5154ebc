package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The web console's files, served by every relay, behind the sockets' authentication when it is on. */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class ConsoleIT {

    @Test
    void shouldServeTheConsolePageAndItsScript(LocalCluster cluster) throws Exception {
        HttpResponse<String> page = get(cluster.http(0, "/console/"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
            assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Agent Relay console</title>").contains("console.js");

        HttpResponse<String> script = get(cluster.http(0, "/console/console.js"));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("'/ws'").contains("execute_workflow").contains("replay");
        assertThat(get(cluster.http(0, "/console/console.css")).statusCode()).isEqualTo(200);
        assertThat(get(cluster.http(0, "/console/missing.js")).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAskForATokenWhenAuthenticationIsOn(EmbeddedKafka kafka, TopicPrefix prefix, @TempDir Path sandbox)
        throws Exception {
        String secret = "console-secret-that-is-at-least-32-bytes";
        try (LocalCluster secured = LocalCluster.start(kafka.bootstrapServers(), prefix, sandbox, 1,
            Map.of("RELAY_JWT_SECRET", secret))) {
            String token = AuthIT.token(secret, "ops", List.of("*"), List.of("*"), Instant.now().plusSeconds(600));

            assertThat(get(secured.http(0, "/console/")).statusCode()).isEqualTo(401);
            assertThat(get(secured.http(0, "/console/?token=forged")).statusCode()).isEqualTo(401);
            assertThat(get(secured.http(0, "/console/?token=" + token)).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}

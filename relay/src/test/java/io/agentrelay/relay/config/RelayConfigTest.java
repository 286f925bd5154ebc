package io.agentrelay.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.agentrelay.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;

class RelayConfigTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes";

    @Test
    void shouldFillDefaults() {
        RelayConfig config = RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET));

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.kafka().topics().commands()).isEqualTo("relay.commands");
        assertThat(config.maxFrameBytes()).isEqualTo(64 * 1024);
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldReadEnvironmentVariables() {
        RelayConfig config = RelayConfig.fromEnv(Map.of(
            "RELAY_AUTH_DISABLED", "true",
            "RELAY_PORT", "0",
            "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092",
            "RELAY_TOPIC_PREFIX", "staging",
            "RELAY_COMMAND_TIMEOUT_MS", "1500"));

        assertThat(config.port()).isZero();
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(config.kafka().topics().events(io.agentrelay.common.protocol.Namespace.WORKFLOW))
            .isEqualTo("staging.events.workflow");
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.authEnabled()).isFalse();
    }

    @Test
    void shouldRefuseToRunOpenUnlessAuthenticationIsSwitchedOffExplicitly() {
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("RELAY_JWT_SECRET")
            .hasMessageContaining("RELAY_AUTH_DISABLED=true");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_AUTH_DISABLED", "yes")))
            .hasMessage("RELAY_AUTH_DISABLED must be true or false, but was 'yes'");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_AUTH_DISABLED", "true", "RELAY_JWT_SECRET", SECRET)))
            .hasMessageContaining("contradicts");
        assertThat(RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET)).authEnabled()).isTrue();
        assertThat(RelayConfig.fromEnv(Map.of("RELAY_AUTH_DISABLED", "false", "RELAY_JWT_SECRET", SECRET))
            .authEnabled()).isTrue();
    }

    @Test
    void shouldNameTheBadValue() {
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_PORT", "eighty")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("RELAY_PORT must be a whole number, but was 'eighty'");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_PORT", "70000")))
            .hasMessage("RELAY_PORT must be between 0 and 65535, but was 70000");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_TOPIC_PREFIX", "bad prefix!")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("bad prefix!");
    }

    @Test
    void shouldRefuseAnOutboxTooSmallForResumes() {
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_OUTBOX_MESSAGES", "1")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("RELAY_OUTBOX_MESSAGES must be between 16 and 1000000, but was 1");
    }

    @Test
    void shouldApplyTheSameBoundsWhereverTheSettingsComeFrom() {
        RelayConfig defaults = RelayConfig.fromEnv(Map.of("RELAY_AUTH_DISABLED", "true"));

        assertThatThrownBy(() -> new RelayConfig(defaults.host(), defaults.port(), defaults.managementPort(),
            defaults.nodeId(), defaults.kafka(),
            defaults.maxFrameBytes(), defaults.outboxMessages(), defaults.outboxBytes(), defaults.commandTimeout(),
            defaults.ioThreads(), defaults.rateLimit(), defaults.maxSubscriptions(), defaults.maxConnections(),
            defaults.maxConnectionsPerSubject(), defaults.handshakeTimeout(), defaults.pingInterval(),
            defaults.praxisHeartbeat(),
            defaults.agentCraftPing(), defaults.agentCraftRatePerMinute(), "", "", true, Duration.ofMillis(-1)))
            .hasMessage("RELAY_DRAIN_MS must be between 0 and 600000 milliseconds, but was -1");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_DRAIN_MS", "-1")))
            .hasMessage("RELAY_DRAIN_MS must be between 0 and 600000 milliseconds, but was -1");
    }

    @Test
    void shouldServeManagementOnTheMainPortUnlessAPortOfItsOwnIsSet() {
        assertThat(RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET)).managementPort()).isEmpty();
        assertThat(RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_MANAGEMENT_PORT", "9090"))
            .managementPort()).hasValue(9090);
        assertThat(RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET, "RELAY_PORT", "0",
            "RELAY_MANAGEMENT_PORT", "0")).managementPort()).hasValue(0);
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET,
            "RELAY_MANAGEMENT_PORT", "8080")))
            .hasMessage("RELAY_MANAGEMENT_PORT must differ from RELAY_PORT (8080)");
        assertThatThrownBy(() -> RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET,
            "RELAY_MANAGEMENT_PORT", "-1")))
            .hasMessage("RELAY_MANAGEMENT_PORT must be between 0 and 65535, but was -1");
    }

    @Test
    void shouldLimitConnectionsPerSubjectAndHandshakesByDefault() {
        RelayConfig config = RelayConfig.fromEnv(Map.of("RELAY_JWT_SECRET", SECRET));

        assertThat(config.maxConnectionsPerSubject()).isEqualTo(100);
        assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    }
}

package io.agentrelay.executor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.agentrelay.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {

    @Test
    void shouldKeepRecordsWellUnderKafkasDefaultLimitByDefault() {
        ExecutorConfig config = ExecutorConfig.fromEnv(Map.of());

        assertThat(config.maxOutputBytes()).isEqualTo(256 * 1024);
        assertThat(config.maxEventBytes()).isEqualTo(512 * 1024).isLessThan(1_000_000);
        assertThat(config.maxSnapshotBytes()).isEqualTo(512 * 1024).isLessThan(1_000_000);
        assertThat(config.commitTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.stallTimeout()).isGreaterThan(config.commitTimeout());
    }

    @Test
    void shouldAcceptEveryValueItsVariableAccepts() {
        ExecutorConfig config = ExecutorConfig.fromEnv(Map.of("EXECUTOR_SHUTDOWN_TIMEOUT_MS", "0"));

        assertThat(config.shutdownTimeout()).isZero();
    }

    @Test
    void shouldNameTheBadValue() {
        assertThatThrownBy(() -> ExecutorConfig.fromEnv(Map.of("EXECUTOR_SHUTDOWN_TIMEOUT_MS", "-1")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("EXECUTOR_SHUTDOWN_TIMEOUT_MS must be between 0 and 3600000 milliseconds, but was -1");
        assertThatThrownBy(() -> ExecutorConfig.fromEnv(Map.of("EXECUTOR_MAX_EVENT_BYTES", "lots")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("EXECUTOR_MAX_EVENT_BYTES must be a whole number, but was 'lots'");
        assertThatThrownBy(() -> ExecutorConfig.fromEnv(Map.of("EXECUTOR_MAX_OUTPUT_BYTES", "600000")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("EXECUTOR_MAX_OUTPUT_BYTES must be between 64 and 524288, but was 600000");
        assertThatThrownBy(() -> ExecutorConfig.fromEnv(Map.of("EXECUTOR_STALL_TIMEOUT_MS", "20000")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("EXECUTOR_STALL_TIMEOUT_MS must be longer than EXECUTOR_COMMIT_TIMEOUT_MS (30000), but was 20000");
    }
}

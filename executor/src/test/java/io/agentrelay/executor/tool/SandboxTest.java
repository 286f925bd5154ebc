package io.agentrelay.executor.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import io.agentrelay.executor.spi.ToolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxTest {

    @TempDir
    Path sandbox;

    @Test
    void shouldResolveRelativeNamesInside() throws Exception {
        assertThat(Sandbox.resolve(sandbox, "a/b.txt")).isEqualTo(sandbox.toAbsolutePath().normalize().resolve("a/b.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/etc/passwd", "", ".", "a/.."})
    void shouldRejectNamesThatLeaveTheSandbox(String name) {
        assertThatThrownBy(() -> Sandbox.resolve(sandbox, name)).isInstanceOf(ToolException.class);
    }

    @Test
    void shouldRejectALinkThatLeadsOut(@TempDir Path outside) throws Exception {
        Files.createSymbolicLink(sandbox.resolve("out"), outside);
        Path target = Sandbox.resolve(sandbox, "out/secret.txt");

        assertThatThrownBy(() -> Sandbox.requireInside(sandbox, target.getParent()))
            .isInstanceOf(ToolException.class)
            .hasMessageContaining("leaves the sandbox");
    }
}

package io.agentrelay.executor.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file tools on real directories and symbolic links: nothing outside the sandbox is read, written or created. */
class SandboxTest {

    @TempDir
    Path sandbox;

    @TempDir
    Path outside;

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
    void shouldWriteAndReadFilesInNewDirectories() throws Exception {
        write("notes/2026/today.txt", "hello");

        assertThat(Files.readString(sandbox.resolve("notes/2026/today.txt"))).isEqualTo("hello");
        assertThat(read("notes/2026/today.txt").path("content").asText()).isEqualTo("hello");
    }

    @Test
    void shouldNotOverwriteAFileOutsideThroughALinkInTheSandbox() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "keep me");
        Files.createSymbolicLink(sandbox.resolve("innocent.txt"), secret);

        assertThatThrownBy(() -> write("innocent.txt", "overwritten")).isInstanceOf(ToolException.class)
            .hasMessage("'innocent.txt' is a link; write_file does not write through links");
        assertThat(Files.readString(secret)).isEqualTo("keep me");
    }

    @Test
    void shouldNotWriteThroughALinkEvenWhenItStaysInside() throws Exception {
        Path target = Files.writeString(sandbox.resolve("target.txt"), "before");
        Files.createSymbolicLink(sandbox.resolve("alias.txt"), target);

        assertThatThrownBy(() -> write("alias.txt", "after")).isInstanceOf(ToolException.class);
        assertThat(Files.readString(target)).isEqualTo("before");
    }

    @Test
    void shouldCreateNoDirectoryOutsideThroughALinkedDirectory() throws Exception {
        Files.createSymbolicLink(sandbox.resolve("out"), outside);

        Throwable refused = catchThrowable(() -> write("out/made/by/client/x.txt", "x"));

        assertThat(outside).as("nothing created outside, not even directories").isEmptyDirectory();
        assertThat(refused).isInstanceOf(ToolException.class)
            .hasMessage("'out/made/by/client/x.txt' leads out of the sandbox through a link");
    }

    @Test
    void shouldWriteThroughALinkedDirectoryThatStaysInside() throws Exception {
        Path real = Files.createDirectory(sandbox.resolve("real"));
        Files.createSymbolicLink(sandbox.resolve("shortcut"), real);

        write("shortcut/deeper/x.txt", "inside");

        assertThat(Files.readString(real.resolve("deeper/x.txt"))).isEqualTo("inside");
    }

    @Test
    void shouldNotReadAFileOutsideThroughALink() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "private");
        Files.createSymbolicLink(sandbox.resolve("peek.txt"), secret);
        Files.createSymbolicLink(sandbox.resolve("dir"), outside);

        assertThatThrownBy(() -> read("peek.txt")).isInstanceOf(ToolException.class)
            .hasMessage("'peek.txt' leads out of the sandbox through a link");
        assertThatThrownBy(() -> read("dir/secret.txt")).isInstanceOf(ToolException.class)
            .hasMessage("'dir/secret.txt' leads out of the sandbox through a link");
    }

    @Test
    void shouldSayAMissingFileDoesNotExist() {
        assertThatThrownBy(() -> read("missing.txt")).isInstanceOf(ToolException.class)
            .hasMessage("'missing.txt' does not exist in the sandbox");
    }

    private void write(String filename, String content) throws Exception {
        new WriteFileTool().run(Json.object().put("filename", filename).put("content", content), context());
    }

    private JsonNode read(String filename) throws Exception {
        return new ReadFileTool().run(Json.object().put("filename", filename), context());
    }

    private ToolContext context() {
        return new ToolContext() {
            @Override
            public String workflowId() {
                return "wf";
            }

            @Override
            public String nodeId() {
                return "node";
            }

            @Override
            public Path sandbox() {
                return sandbox;
            }

            @Override
            public Duration maxSleep() {
                return Duration.ofSeconds(1);
            }

            @Override
            public void progress(String message) {
            }
        };
    }
}

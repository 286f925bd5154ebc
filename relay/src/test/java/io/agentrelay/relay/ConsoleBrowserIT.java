package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web console in a real browser: Debian's Chromium driven by Playwright ({@code src/test/browser}) opens the
 * console, starts a workflow, sees its nodes turn completed, inspects a frame and replays the workflow. A screenshot is
 * kept under {@code target/browser-artifacts} when it fails. Skipped where Chromium or the npm packages are missing;
 * {@code .ci/run} installs both.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class ConsoleBrowserIT {

    private static final Path SCRIPTS = Path.of("src", "test", "browser");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    void shouldRunAWorkflowAndReplayItFromTheConsole(LocalCluster cluster) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        assumeTrue(Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core")),
            "run npm ci in " + SCRIPTS);
        Path artifacts = Files.createDirectories(Path.of("target", "browser-artifacts"));
        Path log = artifacts.resolve("console-test.log");
        String base = cluster.http(0, "").toString();

        Process browser = new ProcessBuilder(List.of("node", "console-test.mjs", base,
            artifacts.toAbsolutePath().toString()))
            .directory(SCRIPTS.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        boolean finished = browser.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            browser.destroyForcibly();
        }
        System.out.print(Files.readString(log));
        assertThat(finished).as("the browser run ended within 2 minutes").isTrue();
        assertThat(browser.exitValue()).as("the browser run (screenshot in %s on failure)", artifacts).isZero();
    }
}

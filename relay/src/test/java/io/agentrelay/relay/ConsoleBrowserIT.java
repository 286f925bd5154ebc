package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: Debian's Chromium driven by Playwright ({@code src/test/browser}) opens the
 * console, starts a workflow, sees its nodes turn completed, inspects a frame and replays the workflow; and opens a
 * workflow another executor took over mid-run and sees the hand-over marked on its timeline. A screenshot is
 * kept under {@code target/browser-artifacts} when it fails. Skipped where Chromium or the npm packages are missing;
 * {@code .ci/run} installs both.
 */
@ExtendWith({KafkaExtension.class, ClusterExtension.class})
class ConsoleBrowserIT {

    private static final Path SCRIPTS = Path.of("src", "test", "browser");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @TempDir
    Path ownSandbox;

    @Test
    void shouldRunAWorkflowAndReplayItFromTheConsole(LocalCluster cluster) throws Exception {
        browse(cluster);
    }

    @Test
    void shouldMarkTheHandOverOfAWorkflowTakenOverMidRunOnItsTimeline() throws Exception {
        assumeBrowser();
        try (EmbeddedKafka kafka = EmbeddedKafka.startNew();
             LocalCluster cluster = LocalCluster.start(kafka.bootstrapServers(), KafkaExtension.uniquePrefix(),
                 ownSandbox, 1, HandOver.QUICK)) {
            HandOver.run(cluster, "console-moved");

            browse(cluster, "console-moved");
        }
    }

    private static void assumeBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        assumeTrue(Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core")),
            "run npm ci in " + SCRIPTS);
    }

    /** Runs console-test.mjs against the cluster's first relay, with more arguments if given. */
    private static void browse(LocalCluster cluster, String... more) throws Exception {
        assumeBrowser();
        Path artifacts = Files.createDirectories(Path.of("target", "browser-artifacts"));
        Path log = artifacts.resolve("console-test.log");
        List<String> command = new ArrayList<>(List.of("node", "console-test.mjs", cluster.http(0, "").toString(),
            artifacts.toAbsolutePath().toString()));
        command.addAll(List.of(more));

        Process browser = new ProcessBuilder(command)
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

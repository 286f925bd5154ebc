package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos test, shortened: {@code scripts/chaos} starts the local fleet (three brokers, three relays, two executors,
 * HAProxy), runs clients and workflows through the load balancer while a relay, an executor and a broker are killed
 * with SIGKILL and started again, and checks every client's stream against Kafka. Real processes, real signals.
 */
class ChaosIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int WORKFLOWS = 150;

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void nothingIsLostWhileARelayAnExecutorAndABrokerAreKilled() throws Exception {
        // Skipped where HAProxy is not installed, like the browser tests; .ci/run installs it.
        assumeTrue(onPath("haproxy"), "HAProxy is missing: install it (Debian: apt-get install -y haproxy)");
        Path results = ROOT.resolve("relay/target/chaos");
        ProcessBuilder chaos = new ProcessBuilder("scripts/chaos").directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(results.resolveSibling("chaos-output.txt").toFile());
        chaos.environment().putAll(Map.of("CHAOS_DIR", results.toString(), "CLIENTS", "60",
            "GLOBAL_CLIENTS", "5", "WORKFLOWS", String.valueOf(WORKFLOWS), "DURATION", "60", "SETTLE", "150"));
        Files.createDirectories(results);
        Process process = chaos.start();
        boolean ended = process.waitFor(11, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        String output = Files.readString(results.resolveSibling("chaos-output.txt"), StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(ended).as("scripts/chaos ended in time").isTrue();
        assertThat(process.exitValue()).as("scripts/chaos exit code; its output:%n%s%nwhat the fleet warned of:%n%s",
            output, fleetWarnings(results.resolve("fleet/logs"))).isZero();
        assertThat(output).contains("SIGKILL relay-", "SIGKILL executor-", "SIGKILL kafka-");

        JsonNode summary = Json.readTree(Files.readAllBytes(results.resolve("summary.json")));
        assertThat(summary.path("topics").asText()).contains("replication factor 3, min.insync.replicas 2");
        assertThat(summary.path("acknowledged").asLong()).isEqualTo(WORKFLOWS);
        assertThat(summary.path("completed").asLong()).isEqualTo(WORKFLOWS);
        assertThat(summary.path("second_commands").asLong()).isZero();
        assertThat(summary.path("workflow_events_delivered").asLong())
            .isEqualTo(summary.path("workflow_events_expected").asLong()).isGreaterThan(WORKFLOWS * 10L);
        assertThat(summary.path("problems").asLong()).isZero();
        // A third of the clients were on the killed relay: they must have come back through the load balancer.
        assertThat(summary.path("reconnects").asLong()).isPositive();
    }

    /** The last warnings and errors of Agent Relay's own code in the fleet's logs: where a failed run is explained. */
    private static String fleetWarnings(Path logs) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(file -> !file.getFileName().toString().startsWith("kafka")).sorted().toList()) {
                try (Stream<String> content = Files.lines(log, StandardCharsets.UTF_8)) {
                    content.filter(line -> (line.contains(" WARN ") || line.contains(" ERROR ")) && line.contains(" i.a."))
                        .forEach(line -> lines.add(log.getFileName() + ": " + line));
                }
            }
        }
        return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}

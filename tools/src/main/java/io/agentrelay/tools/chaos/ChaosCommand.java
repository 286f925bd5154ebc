package io.agentrelay.tools.chaos;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.agentrelay.tools.bench.KafkaOptions;
import io.agentrelay.common.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code relay chaos}: the client side of a chaos test against a fleet behind a load balancer. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Opens clients through a fleet's load balancer, starts workflows evenly over a window, waits for "
        + "them to end, and checks every client's stream against the events in Kafka: no gap, no duplicate, "
        + "per-channel order, every workflow completed. Kill parts of the fleet meanwhile (scripts/chaos does). "
        + "Prints a summary; exits 0 when nothing was lost, 1 otherwise. Loopback only."})
public final class ChaosCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "The fleet's URL, such as ws://127.0.0.1:8080/ws.")
    URI url;

    @Option(names = "--clients", defaultValue = "500", description = "Clients following their workflows "
        + "(${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--global-clients", defaultValue = "20", description = "Clients following global "
        + "(${DEFAULT-VALUE}).")
    int globalClients;

    @Option(names = "--workflows", defaultValue = "1000", description = "Workflows to start (${DEFAULT-VALUE}).")
    int workflows;

    @Option(names = "--duration", defaultValue = "180", description = "Seconds over which to start them "
        + "(${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--settle", defaultValue = "180", description = "Seconds to wait after that for the last to end "
        + "(${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--step-ms", defaultValue = "500", description = "How long each workflow's middle step sleeps "
        + "(${DEFAULT-VALUE}).")
    int stepMillis;

    @Option(names = "--secret", defaultValue = "${env:RELAY_JWT_SECRET}", description = "The relays' "
        + "RELAY_JWT_SECRET, to give each client a token of its own (default: $RELAY_JWT_SECRET; none: no tokens).")
    String secret;

    @Option(names = "--json", description = "Write the summary's figures to this file.")
    Path json;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        ChaosPlan plan;
        try {
            plan = new ChaosPlan(url, clients, globalClients, workflows, Duration.ofSeconds(duration),
                Duration.ofSeconds(settle), stepMillis, secret == null || secret.isBlank() ? null : secret,
                UUID.randomUUID().toString().substring(0, 8), kafka.bootstrapServers, kafka.topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ChaosSummary summary = new ChaosRun(plan, System.err).run();
        summary.print(System.out);
        if (json != null) {
            write(json, summary);
        }
        return summary.problems() == 0 ? 0 : 1;
    }

    private static void write(Path file, ChaosSummary summary) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Json.toText(summary));
    }
}

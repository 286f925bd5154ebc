package io.agentrelay.tools.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay bench}: the instruments of the benchmark suite. {@code load} drives WebSocket clients against a relay
 * or a baseline server; {@code publish} writes numbered events to Kafka as an executor would; {@code floor} measures
 * the two Kafka hops under a workflow's first event on the same broker, the least latency any Kafka-backed relay can
 * have; {@code first-event} a user's wait for a workflow to start. The scripts under {@code scripts/bench/} combine
 * them into scenarios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Load generator and baselines for Agent Relay's benchmarks (loopback only).",
    subcommands = {LoadCommand.class, PublishCommand.class, FloorCommand.class, FirstEventCommand.class,
        ReportCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}

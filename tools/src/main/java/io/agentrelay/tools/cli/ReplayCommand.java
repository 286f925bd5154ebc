package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

import io.agentrelay.common.query.ReadScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relay replay <channel|namespace:*|global> --from T1 --to T2}: prints what a channel, a namespace or every
 * namespace saw between two times, the events that match the filters, read straight from the event topics in Kafka
 * (no relay needs to run) or through a relay's {@code replay}. For debugging after the fact.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Print past events of a channel, a namespace (workflow:*) or global between two times, as JSON "
        + "lines or a table; straight from Kafka, or through a relay with --url.")
final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL",
        description = "A channel (workflow:wf-1), a namespace (workflow:*) or global.")
    String scopeName;

    @Option(names = "--from", required = true, paramLabel = "TIME",
        description = "First moment, inclusive: -15m, -1h, -2d, or ISO-8601 (e.g. 2026-11-23T10:00:00Z).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Last moment, inclusive, as --from (default: now).")
    String to;

    @Mixin
    SourceOptions source;

    @Mixin
    EventOutput output;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter err = commandLine.getErr();
        ReadScope scope = SourceOptions.scope(commandLine, scopeName);
        Instant now = Instant.now();
        Instant start = SourceOptions.time(commandLine, "--from", from, now);
        Instant until = to == null ? now : SourceOptions.time(commandLine, "--to", to, now);
        SourceOptions.inOrder(commandLine, "--from", start, "--to", until);
        var query = output.query(commandLine);
        output.start(commandLine.getOut(), err);
        try {
            source.source().read(scope, start, until, query, output::print);
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        err.println(output.printed() == 0 ? "no events of " + scope.name() + " between " + start + " and " + until
            : output.printed() + " events of " + scope.name() + " between " + start + " and " + until);
        return 0;
    }
}

package io.agentrelay.tools.cli;

import io.agentrelay.tools.bench.BenchCommand;
import io.agentrelay.tools.chaos.ChaosCommand;
import io.agentrelay.tools.token.TokenCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay}: the command line of Agent Relay. {@code tail} follows a channel, a namespace or {@code global} and
 * {@code replay} reads its history, both straight from Kafka or through a relay ({@code --url}), printing one JSON
 * event per line (or a table) on standard output (messages go to standard error); {@code inspect} tells a workflow's
 * story from its events and {@code find} lists workflows, sessions or panels by status, from the same sources;
 * {@code token} mints a client token; {@code bench} is the load generator of the benchmarks and {@code chaos} the
 * client side of the chaos test.
 */
@Command(name = "relay", mixinStandardHelpOptions = true, version = "Agent Relay 0.1.0",
    description = "Follow, replay and inspect Agent Relay channels.",
    subcommands = {TailCommand.class, ReplayCommand.class, InspectCommand.class, FindCommand.class, TokenCommand.class,
        BenchCommand.class, ChaosCommand.class, CommandLine.HelpCommand.class})
public final class RelayCli implements Runnable {

    /** Exit code for a usage error: a bad channel, time or position. */
    static final int USAGE = 2;
    /** Exit code when the relay or Kafka cannot be reached. */
    static final int UNREACHABLE = 1;
    /** Exit code when the log holds nothing of what was asked for. */
    static final int NOT_FOUND = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The CLI with its converters, for {@link #main} and for tests that capture its output. */
    public static CommandLine commandLine() {
        return new CommandLine(new RelayCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}

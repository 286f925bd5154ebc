package io.agentrelay.tools.token;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code relay token}: mints an HS256 token for a relay that runs with {@code RELAY_JWT_SECRET}, for tests and ops. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print an HS256 JWT that a relay with RELAY_JWT_SECRET accepts.")
public final class TokenCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--secret", paramLabel = "SECRET",
        description = "The relay's RELAY_JWT_SECRET, at least 32 bytes (default: $RELAY_JWT_SECRET).",
        defaultValue = "${env:RELAY_JWT_SECRET}")
    String secret;

    @Option(names = "--subject", required = true, paramLabel = "SUB", description = "Who the token names.")
    String subject;

    @Option(names = "--channels", split = ",", paramLabel = "PATTERN",
        description = "Channels it may subscribe to, such as 'workflow:*,pool:local'; 'global' only if named "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "*")
    List<String> channels;

    @Option(names = "--commands", split = ",", paramLabel = "KIND",
        description = "Commands it may send, such as 'execute_workflow' (default: ${DEFAULT-VALUE}).",
        defaultValue = "*")
    List<String> commands;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "How long it is valid, ISO-8601 (default: "
        + "${DEFAULT-VALUE}).", defaultValue = "PT1H")
    Duration ttl;

    @Override
    public Integer call() {
        try {
            spec.commandLine().getOut().println(Hs256Tokens.mint(secret, subject, channels, commands, ttl));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--secret (or RELAY_JWT_SECRET): " + e.getMessage());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}

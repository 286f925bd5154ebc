package io.agentrelay.tools.cli;

import java.io.PrintWriter;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.protocol.Envelope;
import picocli.CommandLine;

/** What both commands share: checking a channel name and printing an event as one JSON line. */
final class EventLines {

    private EventLines() {
    }

    static Channel.Scoped channel(CommandLine commandLine, String name) {
        try {
            if (Channel.parse(name) instanceof Channel.Scoped scoped) {
                return scoped;
            }
            throw new CommandLine.ParameterException(commandLine, "'global' cannot be followed or replayed here; "
                + "name one channel, such as workflow:<id>");
        } catch (RelayException e) {
            throw new CommandLine.ParameterException(commandLine, "invalid channel: " + e.getMessage());
        }
    }

    static void print(PrintWriter out, Envelope event) {
        out.println(Json.toText(event));
        out.flush();
    }
}

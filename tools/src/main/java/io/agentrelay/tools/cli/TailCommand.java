package io.agentrelay.tools.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.agentrelay.client.ChannelHandler;
import io.agentrelay.client.RelayClient;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relay tail <channel>}: prints a channel's events as they happen, reconnecting and resuming as needed. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Follow a channel through a relay and print its events as JSON lines.")
final class TailCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel, such as workflow:wf-1.")
    String channelName;

    @Option(names = "--url", split = ",", paramLabel = "WS_URL",
        description = "Relay endpoints, tried in turn (default: ${DEFAULT-VALUE}).",
        defaultValue = "ws://127.0.0.1:8080/ws")
    List<URI> urls;

    @Option(names = "--from", paramLabel = "POS|TIME",
        description = "Start after this event position, or at this ISO-8601 time (e.g. 2026-11-23T10:00:00Z).")
    String from;

    @Option(names = "--max-events", paramLabel = "N", description = "Stop after N events (default: never).")
    long maxEvents = Long.MAX_VALUE;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Channel.Scoped channel = EventLines.channel(spec.commandLine(), channelName);
        String since = null;
        Instant fromTime = null;
        if (from != null) {
            try {
                fromTime = Instant.parse(from);
            } catch (DateTimeParseException notATime) {
                try {
                    since = Position.decode(from).encode();
                } catch (RelayException notAPosition) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                        "--from must be an event pos or an ISO-8601 time such as 2026-11-23T10:00:00Z, not '" + from + "'");
                }
            }
        }
        AtomicLong printed = new AtomicLong();
        CountDownLatch enough = new CountDownLatch(1);
        if (fromTime != null) {
            try {
                since = replayFrom(channel, fromTime, out, printed, enough);
            } catch (IOException e) {
                err.println("cannot reach a relay at " + urls + ": " + rootMessage(e));
                return RelayCli.UNREACHABLE;
            }
        }
        if (printed.get() >= maxEvents) {
            return 0;
        }
        try (RelayClient client = RelayClient.builder().endpoints(urls).build()) {
            try {
                client.connect();
            } catch (IOException e) {
                err.println("cannot reach a relay at " + urls + ": " + rootMessage(e));
                return RelayCli.UNREACHABLE;
            }
            client.subscribe(channel.name(), since, new ChannelHandler() {
                @Override
                public void onEvent(Envelope event) {
                    EventLines.print(out, event);
                    if (printed.incrementAndGet() >= maxEvents) {
                        enough.countDown();
                    }
                }

                @Override
                public void onResumed(boolean recovered, String reason) {
                    err.println(recovered ? "reconnected; resumed with nothing lost" : "reconnected; " + reason);
                }
            }).thenAccept(response -> {
                if (!response.data().path("recovered").asBoolean(true)) {
                    err.println("warning: " + response.data().path("reason").asText());
                }
            }).get(30, TimeUnit.SECONDS);
            enough.await();
            return 0;
        }
    }

    /** Prints the channel's events since a time with a relay replay; returns the last one's pos. */
    private String replayFrom(Channel.Scoped channel, Instant time, PrintWriter out, AtomicLong printed,
                              CountDownLatch enough) throws Exception {
        AtomicReference<String> last = new AtomicReference<>();
        CountDownLatch completed = new CountDownLatch(1);
        try (RelayConnection connection = connectAny()) {
            connection.addListener(frame -> {
                if (!Boolean.TRUE.equals(frame.replayed()) || !channel.name().equals(frame.room())) {
                    return;
                }
                if ("replay.completed".equals(frame.event())) {
                    completed.countDown();
                } else if (printed.get() < maxEvents) {
                    EventLines.print(out, frame);
                    last.set(frame.pos());
                    if (printed.incrementAndGet() >= maxEvents) {
                        enough.countDown();
                        completed.countDown();
                    }
                }
            });
            connection.request("replay", Json.object().put("channel", channel.name()).put("from", time.toString())
                .put("speed", 0)).get(30, TimeUnit.SECONDS);
            completed.await();
        }
        return last.get();
    }

    private RelayConnection connectAny() throws IOException {
        IOException last = null;
        for (URI url : urls) {
            try {
                return RelayConnection.connect(url, Duration.ofSeconds(10));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}

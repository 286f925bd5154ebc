package io.agentrelay.tools.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.agentrelay.client.ChannelHandler;
import io.agentrelay.client.RelayClient;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.common.query.TimeBound;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relay tail <channel|namespace:*|global>}: prints events as they happen, optionally from a time (or, through
 * a relay, a position) first. Straight from Kafka it reads the history up to the end of each partition, then follows
 * each from there. Through a relay it reconnects and resumes as needed; a namespace is followed through
 * {@code global} (its token must grant it) and its events picked out here; a channel's resume after a reconnect is
 * the relay's, {@code global}'s starts again with new events.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Follow a channel, a namespace (workflow:*) or global and print its events as JSON lines or a "
        + "table; straight from Kafka, or through a relay with --url. Ctrl-C stops it.")
final class TailCommand implements Callable<Integer> {

    /** How long a stopping JVM waits for the Kafka reader to close. */
    private static final long STOP_WAIT_SECONDS = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL",
        description = "A channel (workflow:wf-1), a namespace (workflow:*) or global.")
    String scopeName;

    @Option(names = "--from", paramLabel = "POS|TIME",
        description = "First print the history from this time: -15m, -1h, ISO-8601; through a relay, also after "
            + "this event position (one channel). Default: new events only.")
    String from;

    @Mixin
    SourceOptions source;

    @Mixin
    EventOutput output;

    @Override
    public Integer call() throws Exception {
        CommandLine commandLine = spec.commandLine();
        PrintWriter err = commandLine.getErr();
        ReadScope scope = SourceOptions.scope(commandLine, scopeName);
        EventQuery query = output.query(commandLine);
        Instant now = Instant.now();
        Optional<Instant> fromTime = TimeBound.parse(from, now);
        String since = from == null || fromTime.isPresent() ? null : position(commandLine, scope);
        output.start(commandLine.getOut(), err);
        if (!source.throughRelays()) {
            return followKafka(scope, fromTime.orElse(null), query, err);
        }
        List<URI> urls = source.urls;
        String token = source.token;
        Live live = new Live(scope, query);
        CountDownLatch enough = new CountDownLatch(1);
        try (RelayClient client = RelayClient.builder().endpoints(urls.stream()
            .map(url -> RelayHistorySource.withToken(url, token)).toList()).build()) {
            try {
                client.connect();
            } catch (IOException e) {
                err.println("cannot reach a relay at " + urls + ": " + RelayHistorySource.rootMessage(e));
                return RelayCli.UNREACHABLE;
            }
            String channel = scope instanceof ReadScope.OneChannel one ? one.name() : Channel.GLOBAL_NAME;
            Envelope response = client.subscribe(channel, since, new ChannelHandler() {
                @Override
                public void onEvent(Envelope event) {
                    if (!live.offer(event)) {
                        enough.countDown();
                    }
                }

                @Override
                public void onResumed(boolean recovered, String reason) {
                    err.println(recovered ? "reconnected; resumed with nothing lost" : "reconnected; " + reason);
                }
            }).get(30, TimeUnit.SECONDS);
            if (!response.data().path("recovered").asBoolean(true)) {
                err.println("warning: " + response.data().path("reason").asText());
            }
            if (fromTime.isPresent()) {
                // The history while the live events wait, then those the history did not have: no gap, no duplicate.
                new RelayHistorySource(urls, token).read(scope, fromTime.get(), null, query, live::replayed);
            }
            if (!live.flush()) {
                return 0;
            }
            enough.await();
            return 0;
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
    }

    private String position(CommandLine commandLine, ReadScope scope) {
        if (!source.throughRelays()) {
            throw new CommandLine.ParameterException(commandLine, "--from must be a time such as -15m or "
                + "2026-11-23T10:00:00Z when reading from Kafka, not '" + from + "'; a pos resumes through a relay "
                + "(--url)");
        }
        if (!(scope instanceof ReadScope.OneChannel)) {
            throw new CommandLine.ParameterException(commandLine, "--from of " + scope.name()
                + " must be a time such as -15m or 2026-11-23T10:00:00Z; a pos belongs to one channel");
        }
        try {
            return Position.decode(from).encode();
        } catch (RelayException notAPosition) {
            throw new CommandLine.ParameterException(commandLine, "--from must be an event pos or a time such as "
                + "-15m, -1h or 2026-11-23T10:00:00Z, not '" + from + "'");
        }
    }

    /**
     * Follows the scope straight from Kafka until enough events were printed or the JVM stops (Ctrl-C, SIGTERM),
     * whose shutdown waits for the reader to close.
     */
    private int followKafka(ReadScope scope, Instant start, EventQuery query, PrintWriter err) {
        KafkaHistorySource kafka = source.kafka();
        CountDownLatch closed = new CountDownLatch(1);
        Thread stop = new Thread(() -> {
            kafka.stop();
            try {
                closed.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "relay-tail-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            kafka.follow(scope, start, query, output::print);
            return 0;
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs now; it has been told the reader closed.
            }
        }
    }

    /**
     * Live events of the scope that match: held while its history is printed, then printed unless the history had
     * them (a position at or before the last one it printed of the same partition).
     */
    private final class Live {
        private final ReadScope scope;
        private final EventQuery query;
        private final Map<String, Long> replayedUpTo = new HashMap<>();
        private List<Envelope> held = new ArrayList<>();

        Live(ReadScope scope, EventQuery query) {
            this.scope = scope;
            this.query = query;
        }

        synchronized boolean replayed(Envelope event) {
            Position position = Position.decode(event.pos());
            replayedUpTo.merge(position.incarnation() + "/" + position.partition(), position.offset(), Math::max);
            return output.print(event);
        }

        /** Takes a live event; returns false once enough were printed. */
        synchronized boolean offer(Envelope event) {
            if (event.room() == null || !scope.includes(event.room())
                || !query.matches(InspectCommand.event(event))) {
                return !output.full();
            }
            if (held != null) {
                held.add(event);
                return true;
            }
            return output.print(event);
        }

        /** Prints what was held and prints live events from now on; returns false once enough were printed. */
        synchronized boolean flush() {
            List<Envelope> waiting = held;
            held = null;
            for (Envelope event : waiting) {
                Position position = event.pos() == null ? null : Position.decode(event.pos());
                Long upTo = position == null ? null
                    : replayedUpTo.get(position.incarnation() + "/" + position.partition());
                if ((upTo == null || position.offset() > upTo) && !output.print(event)) {
                    return false;
                }
            }
            return !output.full();
        }
    }
}

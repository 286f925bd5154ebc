package io.agentrelay.tools.cli;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.common.query.TimeBound;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Where the commands that read history read it: through relays when {@code --url} is given, else from Kafka. */
final class SourceOptions {

    @Option(names = "--url", split = ",", paramLabel = "WS_URL",
        description = "Read through these relays (their replay), tried in turn, instead of straight from Kafka.")
    List<URI> urls;

    @Option(names = "--token", paramLabel = "JWT",
        description = "The token for --url (default: $RELAY_TOKEN); a namespace needs a grant of all of it "
            + "(workflow:* or *), global a grant of global.", defaultValue = "${env:RELAY_TOKEN}")
    String token;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
        description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS, else ${DEFAULT-VALUE}).",
        defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
        description = "Topic prefix (default: $RELAY_TOPIC_PREFIX, else ${DEFAULT-VALUE}).",
        defaultValue = "${env:RELAY_TOPIC_PREFIX:-relay}")
    String topicPrefix;

    HistorySource source() {
        return throughRelays() ? new RelayHistorySource(urls, token) : kafka();
    }

    boolean throughRelays() {
        return urls != null && !urls.isEmpty();
    }

    KafkaHistorySource kafka() {
        return new KafkaHistorySource(bootstrapServers, topicPrefix);
    }

    /** A channel, {@code <namespace>:*} or {@code global}, or a usage error. */
    static ReadScope scope(CommandLine commandLine, String text) {
        try {
            return ReadScope.parse(text);
        } catch (RelayException e) {
            throw new CommandLine.ParameterException(commandLine, "invalid channel: " + e.getMessage());
        }
    }

    /** A usage error unless a range's end is at or after its start. */
    static void inOrder(CommandLine commandLine, String startOption, Instant start, String endOption, Instant end) {
        if (end.isBefore(start)) {
            throw new CommandLine.ParameterException(commandLine, endOption + " " + end + " is before " + startOption
                + " " + start);
        }
    }

    /** A time such as -15m, -1h, -2d or 2026-11-23T10:00:00Z, or a usage error. */
    static Instant time(CommandLine commandLine, String option, String text, Instant now) {
        return TimeBound.parse(text, now).orElseThrow(() -> new CommandLine.ParameterException(commandLine, option
            + " must be a time such as -15m, -1h, -2d or 2026-11-23T10:00:00Z, not '" + text + "'"));
    }
}

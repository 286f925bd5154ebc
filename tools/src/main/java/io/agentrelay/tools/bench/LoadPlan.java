package io.agentrelay.tools.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does.
 *
 * @param label        the target's name in the report, such as {@code relay} or {@code undertow}
 * @param url          the WebSocket endpoint, on a loopback address
 * @param connections  how many clients
 * @param channel      the channel each client follows, {@code {i}} standing for the client's number modulo
 *                     {@code channels}; null for clients that follow nothing
 * @param channels     how many distinct channels {@code {i}} takes
 * @param connectRate  new connections a second while opening; 0 for as fast as they complete
 * @param maxPending   connections opening at once
 * @param sources      how many loopback source addresses the clients spread over, from {@code firstSource}
 * @param firstSource  the first source address, such as {@code 127.0.1.1}
 * @param threads      event-loop threads
 * @param warmup       how long to receive before measuring
 * @param duration     how long to measure
 * @param commandRate  workflows started a second during the measurement, spread over the clients; 0 for none
 * @param resumeAt     when in the measurement every client drops its socket and resumes; null for never
 * @param abruptDrop   whether the storm's clients drop their sockets with a TCP reset and no close frame, as a
 *                     network failure or a killed process would, rather than with a close frame (1000)
 * @param pingEvery    how often each client sends {@code ping}; null for never
 */
record LoadPlan(String label, URI url, int connections, String channel, int channels, int connectRate,
                int maxPending, int sources, String firstSource, int threads, Duration warmup, Duration duration,
                double commandRate, Duration resumeAt, boolean abruptDrop, Duration pingEvery) {

    LoadPlan {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(url, "url");
        String host = url.getHost();
        if (host == null || !(host.startsWith("127.") || host.equals("localhost"))) {
            throw new IllegalArgumentException("the load generator only targets loopback addresses, not " + url);
        }
        if (connections < 1 || channels < 1 || maxPending < 1 || sources < 1 || threads < 1) {
            throw new IllegalArgumentException("connections, channels, pending, sources and threads must be positive");
        }
        if (commandRate < 0 || connectRate < 0) {
            throw new IllegalArgumentException("rates must not be negative");
        }
    }

    /** The channel client {@code index} follows, or null. */
    String channelOf(int index) {
        return channel == null ? null : channel.replace("{i}", Integer.toString(index % channels));
    }
}

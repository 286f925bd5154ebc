package io.agentrelay.common.topic;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import io.agentrelay.common.protocol.Namespace;

/**
 * The names of Agent Relay's topics under one prefix: {@code <prefix>.commands}, {@code <prefix>.events.<namespace>}
 * and {@code <prefix>.state}.
 *
 * @param prefix the prefix, {@code relay} by default
 */
public record Topics(String prefix) {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}");

    /** Validates the prefix. */
    public Topics {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix must be 1 to 200 characters of [A-Za-z0-9._-], but was '"
                + prefix + "'");
        }
    }

    /** The topic that relays publish commands to and executors consume as a group. */
    public String commands() {
        return prefix + ".commands";
    }

    /**
     * @param namespace the namespace
     * @return the event topic of that namespace
     */
    public String events(Namespace namespace) {
        return prefix + ".events." + namespace.wireName();
    }

    /** Every event topic, in {@link Namespace} order. */
    public List<String> allEvents() {
        return Arrays.stream(Namespace.values()).map(this::events).toList();
    }

    /**
     * @param topic a topic name
     * @return the namespace whose event topic it is, if it is one of these event topics
     */
    public Optional<Namespace> namespaceOfEvents(String topic) {
        Objects.requireNonNull(topic, "topic");
        String eventsPrefix = prefix + ".events.";
        if (!topic.startsWith(eventsPrefix)) {
            return Optional.empty();
        }
        return Namespace.fromWireName(topic.substring(eventsPrefix.length()));
    }

    /** The compacted topic of entity snapshots. */
    public String state() {
        return prefix + ".state";
    }
}

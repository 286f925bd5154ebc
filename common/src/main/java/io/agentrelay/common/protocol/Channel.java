package io.agentrelay.common.protocol;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A channel a client subscribes to: {@code <namespace>:<id>}, or the virtual {@code global} channel that carries
 * every namespace at once.
 *
 * <p>Channel names are the keys of event records, so a channel's events keep their order within one partition.
 */
public sealed interface Channel permits Channel.Global, Channel.Scoped {

    /** The wire name of the global channel. */
    String GLOBAL_NAME = "global";

    /** The channel that carries the events of every namespace. */
    Channel GLOBAL = new Global();

    /** The channel's name as clients write it, and the key of its event records. */
    @JsonValue
    String name();

    /**
     * Parses a channel name.
     *
     * @param name a channel name from a client or a record
     * @return the channel
     * @throws RelayException with {@link ErrorCode#INVALID_CHANNEL} when the name is not valid
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Channel parse(String name) {
        if (name == null || name.isEmpty()) {
            throw new RelayException(ErrorCode.INVALID_CHANNEL, "channel must not be empty");
        }
        if (GLOBAL_NAME.equals(name)) {
            return GLOBAL;
        }
        int colon = name.indexOf(':');
        if (colon < 0) {
            throw new RelayException(ErrorCode.INVALID_CHANNEL,
                "channel '" + Scoped.printable(name) + "' must be 'global' or '<namespace>:<id>'");
        }
        String namespace = name.substring(0, colon);
        Namespace parsed = Namespace.fromWireName(namespace).orElseThrow(() -> new RelayException(
            ErrorCode.INVALID_CHANNEL, "channel '" + Scoped.printable(name) + "' has an unknown namespace '"
                + Scoped.printable(namespace) + "'; known: " + Scoped.KNOWN_NAMESPACES));
        return new Scoped(parsed, name.substring(colon + 1));
    }

    /**
     * @param namespace the entity kind
     * @param id        the entity id: 1 to 128 of {@code [A-Za-z0-9._-]}
     * @return the channel {@code <namespace>:<id>}
     * @throws RelayException with {@link ErrorCode#INVALID_CHANNEL} when the id is not valid
     */
    static Scoped of(Namespace namespace, String id) {
        return new Scoped(namespace, id);
    }

    /** The virtual channel of every namespace. */
    record Global() implements Channel {
        @Override
        public String name() {
            return GLOBAL_NAME;
        }

        @Override
        public String toString() {
            return GLOBAL_NAME;
        }
    }

    /**
     * The channel of one entity.
     *
     * @param namespace the entity kind, which decides the event topic
     * @param id        the entity id: 1 to 128 of {@code [A-Za-z0-9._-]}
     */
    record Scoped(Namespace namespace, String id) implements Channel {

        private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
        private static final String KNOWN_NAMESPACES = Arrays.stream(Namespace.values())
            .map(Namespace::wireName).collect(Collectors.joining(", "));

        /** Validates the id. */
        public Scoped {
            Objects.requireNonNull(namespace, "namespace");
            if (id == null || !ID.matcher(id).matches()) {
                throw new RelayException(ErrorCode.INVALID_CHANNEL, "channel id '" + printable(id)
                    + "' must be 1 to 128 characters of [A-Za-z0-9._-]");
            }
        }

        /**
         * Parses the name of an entity's channel.
         *
         * @param name a channel name other than {@code global}
         * @return the channel
         * @throws RelayException with {@link ErrorCode#INVALID_CHANNEL} when the name is not a valid entity channel
         */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Scoped parseScoped(String name) {
            if (Channel.parse(name) instanceof Scoped scoped) {
                return scoped;
            }
            throw new RelayException(ErrorCode.INVALID_CHANNEL, "'global' is not the channel of one entity");
        }

        @Override
        public String name() {
            return namespace.wireName() + ":" + id;
        }

        @Override
        public String toString() {
            return name();
        }

        /** Shortens a client's value for an error message, so that a huge bad name cannot make a huge error. */
        private static String printable(String value) {
            if (value == null) {
                return "";
            }
            return value.length() <= 64 ? value : value.substring(0, 64) + "…";
        }
    }
}

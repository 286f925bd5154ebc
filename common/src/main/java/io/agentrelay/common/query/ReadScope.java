package io.agentrelay.common.query;

import java.util.EnumSet;
import java.util.Set;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;

/**
 * What a read of history covers: one channel, every channel of a namespace ({@code workflow:*}), or every namespace
 * ({@code global}). The private {@code conn:<id>} channels are never part of a wider read: they hold one connection's
 * answers, not anything an entity did.
 */
public sealed interface ReadScope {

    /** The scope as a client writes it: {@code workflow:wf-1}, {@code workflow:*} or {@code global}. */
    String name();

    /** The namespaces whose event topics the read covers. */
    Set<Namespace> namespaces();

    /**
     * @param channel a record's key
     * @return whether the read covers that channel's events
     */
    boolean includes(String channel);

    /**
     * @param text {@code <namespace>:<id>}, {@code <namespace>:*} or {@code global}
     * @return the scope
     * @throws RelayException with {@link ErrorCode#INVALID_CHANNEL} when it is none of those
     */
    static ReadScope parse(String text) {
        if (text != null && text.endsWith(":*")) {
            String namespace = text.substring(0, text.length() - 2);
            Namespace parsed = Namespace.fromWireName(namespace).filter(n -> n != Namespace.CONN)
                .orElseThrow(() -> new RelayException(ErrorCode.INVALID_CHANNEL, "'" + text
                    + "' names no namespace that can be read whole; try workflow:*, session:* or panel:*"));
            return new WholeNamespace(parsed);
        }
        Channel channel = Channel.parse(text);
        return channel instanceof Channel.Scoped scoped ? new OneChannel(scoped) : new Everything();
    }

    /**
     * One channel.
     *
     * @param channel the channel
     */
    record OneChannel(Channel.Scoped channel) implements ReadScope {
        @Override
        public String name() {
            return channel.name();
        }

        @Override
        public Set<Namespace> namespaces() {
            return EnumSet.of(channel.namespace());
        }

        @Override
        public boolean includes(String key) {
            return channel.name().equals(key);
        }
    }

    /**
     * Every channel of one namespace.
     *
     * @param namespace the namespace, never {@link Namespace#CONN}
     */
    record WholeNamespace(Namespace namespace) implements ReadScope {
        @Override
        public String name() {
            return namespace.wireName() + ":*";
        }

        @Override
        public Set<Namespace> namespaces() {
            return EnumSet.of(namespace);
        }

        @Override
        public boolean includes(String key) {
            return key.startsWith(namespace.wireName() + ":");
        }
    }

    /** Every channel of every namespace but the connections' private ones. */
    record Everything() implements ReadScope {
        @Override
        public String name() {
            return Channel.GLOBAL_NAME;
        }

        @Override
        public Set<Namespace> namespaces() {
            return EnumSet.complementOf(EnumSet.of(Namespace.CONN));
        }

        @Override
        public boolean includes(String key) {
            return !key.startsWith(Namespace.CONN.wireName() + ":");
        }
    }
}

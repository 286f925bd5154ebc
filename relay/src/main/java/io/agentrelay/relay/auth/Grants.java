package io.agentrelay.relay.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;

/**
 * What a connection's token allows: the channels it may read (patterns such as {@code workflow:*},
 * {@code pool:local}, {@code *} for every entity channel; {@code global} only when named) and the kinds of command it
 * may send ({@code *} for all), each only on an entity whose channel it may read.
 *
 * @param subject   who the token names
 * @param channels  channel patterns, claim {@code channels}
 * @param commands  command kinds, claim {@code commands}
 * @param expiresAt when the token expires, or null when it does not
 */
public record Grants(String subject, List<String> channels, Set<String> commands, Instant expiresAt) {

    private static final Grants UNRESTRICTED = new Grants("anonymous", List.of("*", "global"), Set.of("*"), null);

    /** Copies the lists. */
    public Grants {
        channels = List.copyOf(channels);
        commands = Set.copyOf(commands);
    }

    /** Everything, for relays that run without authentication. */
    public static Grants unrestricted() {
        return UNRESTRICTED;
    }

    /**
     * @param channel a channel
     * @return whether the token allows subscribing to it
     */
    public boolean maySubscribe(Channel channel) {
        if (!(channel instanceof Channel.Scoped scoped)) {
            return channels.contains(Channel.GLOBAL_NAME);
        }
        for (String pattern : channels) {
            if (pattern.equals("*") || pattern.equals(scoped.name())
                || pattern.equals(scoped.namespace().wireName() + ":*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param namespace a namespace
     * @return whether the token allows reading every channel of it at once, as {@code *} or {@code <namespace>:*}
     *     does; a grant of some of its channels does not
     */
    public boolean mayReadWhole(Namespace namespace) {
        return channels.contains("*") || channels.contains(namespace.wireName() + ":*");
    }

    /**
     * @param kind a command kind such as {@code execute_workflow}
     * @return whether the token allows sending it
     */
    public boolean mayCommand(String kind) {
        return commands.contains("*") || commands.contains(kind);
    }

    /**
     * A command's idempotency key, from the client's request id: a request sent again with the same id (a retry after
     * a timeout) is the same command, and executors carry it out once. Scoped by the authenticated subject, so that a
     * retry on a new connection (or a new HTTP request) counts, or, without a subject to tell clients apart, by what
     * the caller names.
     *
     * @param anonymousScope what tells anonymous clients apart, such as their connection
     * @param requestId      the client's request id
     * @return the command id
     */
    public UUID commandId(String anonymousScope, String requestId) {
        String scope = Principal.ANONYMOUS.subject().equals(subject) ? anonymousScope : "sub:" + subject;
        return UUID.nameUUIDFromBytes((scope + "\n" + requestId).getBytes(StandardCharsets.UTF_8));
    }
}

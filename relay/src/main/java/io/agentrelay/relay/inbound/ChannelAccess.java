package io.agentrelay.relay.inbound;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.relay.session.Session;
import io.agentrelay.runtime.log.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may read a channel, live or from its history: a {@code conn:<id>} channel only its own connection, whatever the
 * token (its private answers are nobody else's, and {@code *} grants name entities, not connections); any other
 * channel whoever's token allows it.
 */
final class ChannelAccess {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelAccess.class);

    private ChannelAccess() {
    }

    /**
     * @param session the session that asks
     * @param channel the channel it wants to subscribe to or replay
     * @throws RelayException with {@link ErrorCode#FORBIDDEN} when it may not read it
     */
    static void requireReadable(Session session, Channel channel) {
        if (channel.equals(session.privateChannel())) {
            return;
        }
        if (channel instanceof Channel.Scoped scoped && scoped.namespace() == Namespace.CONN) {
            LOG.info("Refused {} the private channel {} of another connection",
                LogText.escape(session.grants().subject()), channel);
            throw new RelayException(ErrorCode.FORBIDDEN, "only its own connection may read " + channel);
        }
        if (!session.grants().maySubscribe(channel)) {
            LOG.info("Refused {} reading {}", LogText.escape(session.grants().subject()), channel);
            throw new RelayException(ErrorCode.FORBIDDEN, "your token does not allow reading " + channel);
        }
    }

    /**
     * @param session the session that asks
     * @param scope   the channels it wants to replay: one, a whole namespace (its token must grant all of it, as
     *                {@code workflow:*} or {@code *} do), or {@code global}
     * @throws RelayException with {@link ErrorCode#FORBIDDEN} when it may not read them all
     */
    static void requireReadable(Session session, ReadScope scope) {
        if (scope instanceof ReadScope.OneChannel one) {
            requireReadable(session, one.channel());
        } else if (scope instanceof ReadScope.WholeNamespace whole) {
            if (!session.grants().mayReadWhole(whole.namespace())) {
                LOG.info("Refused {} reading {}", LogText.escape(session.grants().subject()), scope.name());
                throw new RelayException(ErrorCode.FORBIDDEN, "your token does not allow reading all of "
                    + scope.name() + "; it needs " + scope.name() + " or *");
            }
        } else {
            requireReadable(session, Channel.GLOBAL);
        }
    }
}

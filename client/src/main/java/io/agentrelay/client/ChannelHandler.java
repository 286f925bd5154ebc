package io.agentrelay.client;

import io.agentrelay.common.protocol.Envelope;

/**
 * Receives one channel's events from a {@link RelayClient}. Called on the connection's receiving thread, one event at
 * a time, in order; implementations must not block.
 */
@FunctionalInterface
public interface ChannelHandler {

    /**
     * The next event of the channel. Across reconnects each event arrives once, in order.
     *
     * @param event the event frame; its {@code pos} is the channel's resume point
     */
    void onEvent(Envelope event);

    /**
     * The client reconnected and subscribed again from the last event received.
     *
     * @param recovered true when nothing was lost; false when the relay could not resume from that point
     * @param reason    when not recovered, why (such as the retention having deleted older events)
     */
    default void onResumed(boolean recovered, String reason) {
    }

    /**
     * The relay refused to subscribe again after a reconnect (another relay's limits, or a token that no longer
     * allows the channel): the subscription has ended, and the client does not send it again. A refusal of the first
     * subscribe fails the future {@link RelayClient#subscribe} returned instead.
     *
     * @param refusal the relay's error
     */
    default void onRefused(RelayErrorException refusal) {
    }
}

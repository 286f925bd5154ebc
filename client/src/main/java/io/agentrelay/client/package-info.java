/**
 * The Java SDK of Agent Relay's canonical WebSocket protocol.
 *
 * <p>{@link io.agentrelay.client.RelayClient} is what applications use: it connects to one of several relays,
 * subscribes with {@link io.agentrelay.client.ChannelHandler}s, sends requests as futures, and reconnects and resumes
 * on its own. {@link io.agentrelay.client.RelayConnection} is one socket without reconnects, for tests and tools.
 * A relay's error frame fails a request's future with {@link io.agentrelay.client.RelayErrorException}.
 *
 * <p>At run time the SDK needs Jackson, slf4j-api and the protocol records of {@code agent-relay-common} only.
 */
package io.agentrelay.client;

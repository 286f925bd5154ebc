package io.agentrelay.relay.dialect;

import java.util.List;

/** How a dialect begins a new connection: with a first frame and requests made on the client's behalf, or not at all. */
public sealed interface Opening {

    /**
     * A plain welcome frame, nothing else.
     *
     * @param welcome the first frame
     * @return the opening
     */
    static Opening welcome(byte[] welcome) {
        return new Accept(welcome, List.of());
    }

    /**
     * Accept the connection.
     *
     * @param welcome  the first frame
     * @param requests carried out right after it, as if the client had sent them (a Nexus panel's subscription)
     */
    record Accept(byte[] welcome, List<Request> requests) implements Opening {
        /** Copies the requests. */
        public Accept {
            requests = List.copyOf(requests);
        }
    }

    /**
     * Close the connection at once.
     *
     * @param code   the close code
     * @param reason the close reason
     */
    record Refuse(int code, String reason) implements Opening {
    }
}

package io.agentrelay.relay.session;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The close reason sent with 1013 to a client that read too slowly: the last position written per channel, as many
 * as fit in a close frame's 123 bytes. Clients should resume from the positions of the events they received; the
 * reason helps those that do not keep them, and people reading logs.
 */
final class SlowConsumerReason {

    static final int MAX_REASON_BYTES = 123;
    private static final String PREFIX = "slow consumer; resume";

    private SlowConsumerReason() {
    }

    static String of(Map<String, String> positions) {
        StringBuilder reason = new StringBuilder(PREFIX);
        for (Map.Entry<String, String> entry : new TreeMap<>(positions).entrySet()) {
            String part = " " + entry.getKey() + "@" + entry.getValue();
            if (utf8Length(reason) + utf8Length(part) > MAX_REASON_BYTES) {
                break;
            }
            reason.append(part);
        }
        return reason.toString();
    }

    private static int utf8Length(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}

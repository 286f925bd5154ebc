package io.agentrelay.relay.session;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The close reason of a connection that a client should resume elsewhere or later (1013 for a slow consumer, 1001 for
 * a relay shutting down, 1011 for a relay whose event reader ended): why, then the last position written per channel,
 * as many as fit in a close frame's 123 bytes. Clients should resume from the positions of the events they received;
 * the reason helps those that do not keep them, and people reading logs.
 */
final class ResumeReason {

    static final int MAX_REASON_BYTES = 123;
    static final String SLOW_CONSUMER = "slow consumer; resume";
    static final String SHUTTING_DOWN = "relay shutting down; resume";
    static final String CATCH_UP_FAILED = "catch-up failed; resume";
    static final String READER_ENDED = "event reader ended; resume";

    private ResumeReason() {
    }

    static String of(String why, Map<String, String> positions) {
        StringBuilder reason = new StringBuilder(why);
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

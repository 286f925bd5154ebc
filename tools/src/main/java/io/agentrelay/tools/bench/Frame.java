package io.agentrelay.tools.bench;

/**
 * The few fields of a canonical frame that the load generator needs, found by scanning the text rather than parsing
 * it: the generator reads hundreds of thousands of frames a second on one thread, and a tree per frame would make it,
 * not the server, the bottleneck. Relies on the canonical envelope's field order ({@code id, correlation_id, type,
 * event, data, timestamp, room, pos}), which the bare baselines copy.
 */
final class Frame {

    private static final String TYPE = "\"type\":\"";
    private static final String EVENT = "\"event\":\"";
    private static final String CORRELATION = "\"correlation_id\":\"";
    private static final String TIMESTAMP = "\"timestamp\":\"";
    private static final String ROOM = "\"room\":\"";
    private static final String POS = "\"pos\":\"";
    private static final String SEQ = "\"seq\":";
    private static final String CODE = "\"error_code\":\"";

    private Frame() {
    }

    /** {@code event}, {@code response} or {@code error}; null when the frame has no type. */
    static String type(String frame) {
        return stringAfter(frame, frame.indexOf(TYPE), TYPE.length());
    }

    /** The event's name: the first {@code event} field, which comes before {@code data}. */
    static String event(String frame) {
        return stringAfter(frame, frame.indexOf(EVENT), EVENT.length());
    }

    static String correlationId(String frame) {
        return stringAfter(frame, frame.indexOf(CORRELATION), CORRELATION.length());
    }

    static String errorCode(String frame) {
        return stringAfter(frame, frame.indexOf(CODE), CODE.length());
    }

    /** The event's channel. Searched from the end: the fields after {@code data} cannot be shadowed by its keys. */
    static String room(String frame) {
        return stringAfter(frame, frame.lastIndexOf(ROOM), ROOM.length());
    }

    static String pos(String frame) {
        return stringAfter(frame, frame.lastIndexOf(POS), POS.length());
    }

    /** When the event happened, in microseconds since the epoch; -1 when absent or unreadable. */
    static long timestampMicros(String frame) {
        int at = frame.lastIndexOf(TIMESTAMP);
        return at < 0 ? -1 : IsoMicros.parse(frame, at + TIMESTAMP.length());
    }

    /** The publisher's per-channel sequence number in {@code data.seq}; -1 when absent. */
    static long seq(String frame) {
        int at = frame.indexOf(SEQ);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        int digits = 0;
        for (int i = at + SEQ.length(); i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    private static String stringAfter(String frame, int at, int skip) {
        if (at < 0) {
            return null;
        }
        int start = at + skip;
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }
}

package io.agentrelay.common.trace;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import org.slf4j.MDC;

/**
 * A W3C trace context ({@code traceparent: 00-<trace id>-<span id>-01}): it travels in the Kafka headers of a
 * command, of the events its work publishes, and in log lines, so that one trace id ties a client's command to
 * everything it caused on every node.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId  16 lowercase hex digits, not all zero
 */
public record Traceparent(String traceId, String spanId) {

    /** The Kafka header and HTTP header name. */
    public static final String HEADER = "traceparent";
    /** The MDC key of the trace id in log lines. */
    public static final String MDC_KEY = "trace_id";
    /** The MDC key of the whole context, for work started while handling a traced command. */
    private static final String MDC_CONTEXT = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    /** Validates the ids. */
    public Traceparent {
        if (traceId == null || !traceId.matches("[0-9a-f]{32}") || traceId.matches("0+")
            || spanId == null || !spanId.matches("[0-9a-f]{16}") || spanId.matches("0+")) {
            throw new IllegalArgumentException("not a W3C trace id and span id: " + traceId + " " + spanId);
        }
    }

    /** A new trace. */
    public static Traceparent newTrace() {
        return new Traceparent(random(16), random(8));
    }

    /** The next hop of the same trace. */
    public Traceparent child() {
        return new Traceparent(traceId, random(8));
    }

    /** The header's value. */
    public String encode() {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    /**
     * @param header a {@code traceparent} header's value, or null
     * @return the trace context, or empty when there is none or it is malformed
     */
    public static Optional<Traceparent> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        var match = FORMAT.matcher(header.trim());
        if (!match.matches() || match.group(1).matches("0+") || match.group(2).matches("0+")) {
            return Optional.empty();
        }
        return Optional.of(new Traceparent(match.group(1), match.group(2)));
    }

    /**
     * @param header a header's raw bytes, or null
     * @return the trace context, or empty
     */
    public static Optional<Traceparent> parse(byte[] header) {
        return header == null ? Optional.empty() : parse(new String(header, StandardCharsets.US_ASCII));
    }

    /**
     * Makes this the current trace of the thread: log lines carry its id, and work started now continues it.
     */
    public void enter() {
        MDC.put(MDC_KEY, traceId);
        MDC.put(MDC_CONTEXT, encode());
    }

    /** Ends the thread's current trace. */
    public static void exit() {
        MDC.remove(MDC_KEY);
        MDC.remove(MDC_CONTEXT);
    }

    /** The thread's current trace, if it {@linkplain #enter() entered} one. */
    public static Optional<Traceparent> current() {
        return parse(MDC.get(MDC_CONTEXT));
    }

    /** The header's value as bytes, for Kafka. */
    public byte[] bytes() {
        return encode().getBytes(StandardCharsets.US_ASCII);
    }

    private static String random(int bytes) {
        byte[] id = new byte[bytes];
        do {
            RANDOM.nextBytes(id);
        } while (isZero(id));
        return HEX.formatHex(id);
    }

    private static boolean isZero(byte[] id) {
        for (byte b : id) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}

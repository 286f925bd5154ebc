package io.agentrelay.relay.dialect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentrelay.common.json.Json;

/**
 * Random text frames for the dialects' decoders, from a seed: the same seed gives the same frames, so a failure is
 * repeated by running again with {@code -Dframes.seed=<the seed it printed>}. Not thread-safe.
 */
final class RandomFrames {

    /** System property that replaces every test's fixed seed, to repeat a failure or to explore other frames. */
    static final String SEED_PROPERTY = "frames.seed";

    /** Field names the dialects read, so that generated objects often reach past the first checks. */
    private static final List<String> FIELDS = List.of("id", "correlation_id", "type", "event", "data", "channel",
        "since", "from", "to", "speed", "workflow_id", "pool_id", "nodes", "edges", "tool", "params", "deadline_ms",
        "adapter", "prompt", "payload", "command", "content", "workflowId", "source", "target", "event_types",
        "session_id", "requestId", "args", "topics");

    /** Values that mean something to some dialect: request names, channels, positions, times. */
    private static final List<String> MEANINGFUL = List.of("request", "subscribe", "unsubscribe", "execute_workflow",
        "get_workflow_status", "cancel_workflow", "get_pool_status", "list_tools", "replay", "ping", "DSL_COMMAND",
        "EXECUTE_WORKFLOW", "CHAT_MESSAGE", "SUBSCRIBE_EVENTS", "UNSUBSCRIBE_EVENTS", "PING", "heartbeat",
        "get_session_state", "get_session_logs", "start_log_streaming", "stop_log_streaming", "pong", "TRIGGER",
        "SUBSCRIBE", "UNSUBSCRIBE", "state", "events", "workflow:a", "panel:p", "pool:local", "conn:x", "global",
        "workflow:", ":", "AAAAAAAAAAAAAAAAAAAAAA.0.5", "x.99999999999999999999.1", "x.1.-5", "x.-1.0",
        "x.0.9223372036854775807", "0000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59.999999999Z",
        "2026-11-23T10:00:00Z", "", " ", "echo", "CALL echo hi", "a".repeat(300));

    /** Numbers beyond double and long: a decoder reading them as either must refuse them, not overflow. */
    private static final List<String> HUGE_DECIMALS = List.of("1e400", "-1e-400", "1.7976931348623157e309",
        "1e-999999999");

    /** The characters of JSON, so that arbitrary text often comes close to parsing. */
    private static final String JSON_CHARS = "{}[]\":,0123456789.eE+-tfnul\\ ";

    /** Valid frames of every dialect, whose fields {@link #validFrameWithOneFieldReplaced} replaces. */
    private static final List<ObjectNode> VALID_FRAMES = List.of(
        frame("{\"id\":\"r1\",\"type\":\"request\",\"event\":\"subscribe\","
            + "\"data\":{\"channel\":\"workflow:a\",\"since\":\"AAAAAAAAAAAAAAAAAAAAAA.0.5\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"unsubscribe\",\"data\":{\"channel\":\"workflow:a\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"execute_workflow\",\"data\":{\"workflow_id\":\"wf-1\",\"nodes\":"
            + "[{\"id\":\"n1\",\"tool\":\"echo\",\"params\":{\"message\":\"hi\"}},{\"id\":\"n2\",\"tool\":\"echo\"}],"
            + "\"edges\":[{\"from\":\"n1\",\"to\":\"n2\"}],\"deadline_ms\":1000,\"adapter\":\"a\",\"prompt\":\"p\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"get_workflow_status\",\"data\":{\"workflow_id\":\"wf-1\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"cancel_workflow\",\"data\":{\"workflow_id\":\"wf-1\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"get_pool_status\",\"data\":{\"pool_id\":\"local\"}}"),
        frame("{\"id\":\"r1\",\"event\":\"replay\",\"data\":{\"channel\":\"workflow:a\","
            + "\"from\":\"2026-11-23T10:00:00Z\",\"to\":\"AAAAAAAAAAAAAAAAAAAAAA.0.5\",\"speed\":2}}"),
        frame("{\"type\":\"DSL_COMMAND\",\"id\":\"d1\",\"payload\":{\"command\":\"CALL echo hi\"}}"),
        frame("{\"type\":\"EXECUTE_WORKFLOW\",\"id\":\"w1\",\"payload\":{\"workflowId\":\"wf-2\",\"nodes\":"
            + "[{\"id\":\"n1\",\"tool\":\"echo\",\"params\":{}},{\"id\":\"n2\",\"tool\":\"echo\"}],"
            + "\"edges\":[{\"source\":\"n1\",\"target\":\"n2\"}]}}"),
        frame("{\"type\":\"CHAT_MESSAGE\",\"id\":\"c1\",\"payload\":{\"content\":\"hello\"}}"),
        frame("{\"type\":\"SUBSCRIBE_EVENTS\",\"payload\":{\"event_types\":[\"nodeStatusUpdate\",\"dslResult\"]}}"),
        frame("{\"type\":\"UNSUBSCRIBE_EVENTS\",\"payload\":{\"event_types\":[\"nodeStatusUpdate\"]}}"),
        frame("{\"type\":\"get_session_state\",\"session_id\":\"s-1\"}"),
        frame("{\"type\":\"get_session_logs\",\"session_id\":\"s-1\"}"),
        frame("{\"type\":\"start_log_streaming\",\"session_id\":\"s-1\"}"),
        frame("{\"type\":\"stop_log_streaming\"}"),
        frame("{\"type\":\"TRIGGER\",\"tool\":\"add\",\"args\":{\"value\":1},\"requestId\":\"t1\"}"),
        frame("{\"type\":\"SUBSCRIBE\",\"topics\":[\"state\",\"events\"],\"requestId\":\"s1\"}"),
        frame("{\"type\":\"UNSUBSCRIBE\",\"topics\":[\"events\"]}"));

    private final long seed;
    private final SplittableRandom random;

    /** Frames from {@code fixedSeed}, unless {@value #SEED_PROPERTY} is set. */
    RandomFrames(long fixedSeed) {
        this.seed = Long.getLong(SEED_PROPERTY, fixedSeed);
        this.random = new SplittableRandom(seed);
    }

    long seed() {
        return seed;
    }

    /** Any text up to 200 characters: any code points, or only the characters of JSON. */
    String anyText() {
        return string(200, random.nextBoolean() ? anyCodePoint() : jsonCharacter());
    }

    /** Any JSON value up to four levels deep, its objects often with field names the dialects read. */
    String anyJson() {
        return Json.toText(json(4));
    }

    /** A valid frame of some dialect with one field or array element replaced by any JSON value. */
    String validFrameWithOneFieldReplaced() {
        ObjectNode frame = VALID_FRAMES.get(random.nextInt(VALID_FRAMES.size())).deepCopy();
        List<Runnable> replacements = new ArrayList<>();
        collectReplacements(frame, json(3), replacements);
        replacements.get(random.nextInt(replacements.size())).run();
        return Json.toText(frame);
    }

    /** Arrays or objects nested 100 to 5,000 deep, alone or where a dialect expects tool parameters. */
    String deeplyNested() {
        int n = random.nextInt(100, 5_001);
        return switch (random.nextInt(3)) {
            case 0 -> "[".repeat(n) + "]".repeat(n);
            case 1 -> "{\"type\":\"request\",\"event\":\"execute_workflow\",\"data\":{\"nodes\":[{\"id\":\"a\","
                + "\"tool\":\"echo\",\"params\":" + "{\"a\":".repeat(n) + "1" + "}".repeat(n) + "}]}}";
            default -> "{\"type\":\"TRIGGER\",\"tool\":\"add\",\"args\":" + "[".repeat(n) + "]".repeat(n) + "}";
        };
    }

    private JsonNode json(int depth) {
        int kind = depth == 0 ? 0 : random.nextInt(9);
        if (kind < 3) {
            return leaf();
        }
        if (kind < 5) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (int i = random.nextInt(5); i > 0; i--) {
                array.add(json(depth - 1));
            }
            return array;
        }
        ObjectNode object = Json.object();
        for (int i = random.nextInt(7); i > 0; i--) {
            String key = random.nextBoolean() ? pick(FIELDS) : string(8, anyCodePoint());
            object.set(key, json(depth - 1));
        }
        return object;
    }

    private JsonNode leaf() {
        return switch (random.nextInt(7)) {
            case 0 -> NullNode.getInstance();
            case 1 -> BooleanNode.valueOf(random.nextBoolean());
            case 2 -> LongNode.valueOf(anyLong());
            case 3 -> DoubleNode.valueOf(anyDouble());
            case 4 -> new BigIntegerNode(BigInteger.TEN.pow(random.nextInt(19, 2_001)));
            case 5 -> DecimalNode.valueOf(new BigDecimal(pick(HUGE_DECIMALS)));
            default -> TextNode.valueOf(text());
        };
    }

    /** Mostly the values at the edges, where a decoder's range checks are; sometimes any long. */
    private long anyLong() {
        return switch (random.nextInt(4)) {
            case 0 -> pick(List.of(0L, 1L, -1L, (long) Integer.MAX_VALUE + 1, Long.MIN_VALUE, Long.MAX_VALUE));
            case 1 -> random.nextInt(-1_000, 1_001);
            default -> random.nextLong();
        };
    }

    /** Any finite double, tiny and huge ones included; JSON has no NaN or infinity to send. */
    private double anyDouble() {
        double value;
        do {
            value = random.nextBoolean() ? random.nextDouble(-1e6, 1e6) : Double.longBitsToDouble(random.nextLong());
        } while (!Double.isFinite(value));
        return value;
    }

    private String text() {
        return switch (random.nextInt(3)) {
            case 0 -> pick(MEANINGFUL);
            case 1 -> string(40, between(' ', '~'));
            default -> string(40, between('\u0000', '\u2fff'));
        };
    }

    /** Up to {@code maxLength} code points, each from {@code codePoint}. */
    private String string(int maxLength, IntSupplier codePoint) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            text.appendCodePoint(codePoint.getAsInt());
        }
        return text.toString();
    }

    private IntSupplier between(int first, int last) {
        return () -> random.nextInt(first, last + 1);
    }

    private IntSupplier anyCodePoint() {
        return between(0, Character.MAX_CODE_POINT);
    }

    private IntSupplier jsonCharacter() {
        return () -> JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Adds a replacement of every field and array element of {@code node}, depth-first, by {@code value}. */
    private static void collectReplacements(JsonNode node, JsonNode value, List<Runnable> replacements) {
        if (node instanceof ObjectNode object) {
            object.fieldNames().forEachRemaining(field -> {
                replacements.add(() -> object.set(field, value));
                collectReplacements(object.get(field), value, replacements);
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                replacements.add(() -> array.set(index, value));
                collectReplacements(array.get(i), value, replacements);
            }
        }
    }

    private static ObjectNode frame(String json) {
        try {
            return (ObjectNode) Json.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}

package io.agentrelay.relay.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.agentcraft.AgentCraftDialect;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.dialect.nexus.NexusDialect;
import io.agentrelay.relay.dialect.praxis.PraxisDialect;
import io.agentrelay.relay.inbound.Request;
import io.agentrelay.relay.state.EntityDirectory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Any text frame, however malformed, is either decoded into a request or refused with an error frame: a decoder never
 * throws anything else, which would escape from the I/O thread and leave the client without an answer. Each property
 * runs a bounded number of tries on every dialect, in a few seconds.
 */
class FrameDecodingPropertiesTest {

    private static final int TRIES = 300;

    /** Field names the dialects read, so that generated objects often reach past the first checks. */
    private static final List<String> FIELDS = List.of("id", "correlation_id", "type", "event", "data", "channel",
        "since", "from", "to", "speed", "workflow_id", "pool_id", "nodes", "edges", "tool", "params", "deadline_ms",
        "adapter", "prompt", "payload", "command", "content", "workflowId", "source", "target", "event_types",
        "session_id", "requestId", "args", "topics");

    /** Values that mean something to some dialect: request names, channels, positions, times. */
    private static final List<String> MEANINGFUL = List.of("request", "subscribe", "unsubscribe", "execute_workflow",
        "get_workflow_status", "cancel_workflow", "get_pool_status", "replay", "ping", "DSL_COMMAND",
        "EXECUTE_WORKFLOW", "CHAT_MESSAGE", "SUBSCRIBE_EVENTS", "UNSUBSCRIBE_EVENTS", "PING", "heartbeat",
        "get_session_state", "get_session_logs", "start_log_streaming", "stop_log_streaming", "pong", "TRIGGER",
        "SUBSCRIBE", "UNSUBSCRIBE", "state", "events", "workflow:a", "panel:p", "pool:local", "conn:x", "global",
        "workflow:", ":", "AAAAAAAAAAAAAAAAAAAAAA.0.5", "x.99999999999999999999.1", "x.1.-5", "x.-1.0",
        "x.0.9223372036854775807", "0000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59.999999999Z",
        "2026-11-23T10:00:00Z", "", " ", "echo", "CALL echo hi", "a".repeat(300));

    private static EntityDirectory directory;
    private static List<Dialect> dialects;

    @BeforeContainer
    static void createDialects() {
        // Decoding never asks the directory; it is built, not started, so no broker is needed.
        directory = new EntityDirectory(KafkaSettings.fromEnv(Map.of()), "decoding-properties");
        dialects = List.of(new CanonicalDialect(), new PraxisDialect(Duration.ofSeconds(30)),
            new AgentCraftDialect(directory, Duration.ofSeconds(30), 60),
            new NexusDialect(directory, channel -> {
                throw new IllegalStateException("decoding must not locate channels");
            }));
    }

    @AfterContainer
    static void closeDirectory() {
        directory.close();
    }

    @Property(tries = TRIES)
    void anyTextIsDecodedOrRefused(@ForAll("anyText") String frame) {
        dialects.forEach(dialect -> assertDecodedOrRefused(dialect, frame));
    }

    @Property(tries = TRIES)
    void anyJsonIsDecodedOrRefused(@ForAll("anyJson") String frame) {
        dialects.forEach(dialect -> assertDecodedOrRefused(dialect, frame));
    }

    @Property(tries = TRIES)
    void aValidFrameWithOneFieldReplacedIsDecodedOrRefused(@ForAll("mutatedFrames") String frame) {
        dialects.forEach(dialect -> assertDecodedOrRefused(dialect, frame));
    }

    @Property(tries = 50)
    void deepNestingIsDecodedOrRefused(@ForAll("deeplyNested") String frame) {
        dialects.forEach(dialect -> assertDecodedOrRefused(dialect, frame));
    }

    private static void assertDecodedOrRefused(Dialect dialect, String frame) {
        Connection connection = new Connection(UUID.randomUUID().toString(), "client-1", Grants.unrestricted());
        try {
            Request request = dialect.decode(frame, connection);
            assertThat(request).as("%s decodes %s", dialect.name(), frame).isNotNull();
        } catch (InvalidFrameException refused) {
            assertThat(dialect.error(refused.code(), refused.getMessage(), refused.requestId().orElse(null)))
                .as("%s's error frame for %s", dialect.name(), frame).isNotEmpty();
        }
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
            Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-tfnul\\ ").ofMaxLength(200));
    }

    @Provide
    Arbitrary<String> anyJson() {
        return json(4).map(Json::toText);
    }

    @Provide
    Arbitrary<String> mutatedFrames() {
        return Combinators.combine(Arbitraries.of(validFrames()), Arbitraries.integers().greaterOrEqual(0), json(3))
            .as((frame, slot, value) -> Json.toText(replaceOne(frame.deepCopy(), slot, value)));
    }

    @Provide
    Arbitrary<String> deeplyNested() {
        Arbitrary<Integer> depth = Arbitraries.integers().between(100, 5_000);
        return Arbitraries.oneOf(
            depth.map(n -> "[".repeat(n) + "]".repeat(n)),
            depth.map(n -> "{\"type\":\"request\",\"event\":\"execute_workflow\",\"data\":{\"nodes\":[{\"id\":\"a\","
                + "\"tool\":\"echo\",\"params\":" + "{\"a\":".repeat(n) + "1" + "}".repeat(n) + "}]}}"),
            depth.map(n -> "{\"type\":\"TRIGGER\",\"tool\":\"add\",\"args\":" + "[".repeat(n) + "]".repeat(n) + "}"));
    }

    private static Arbitrary<JsonNode> json(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
            Arbitraries.just(NullNode.getInstance()),
            Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE),
            Arbitraries.longs().map(LongNode::valueOf),
            Arbitraries.doubles().map(DoubleNode::valueOf),
            Arbitraries.integers().between(19, 2_000).map(digits -> new BigIntegerNode(BigInteger.TEN.pow(digits))),
            Arbitraries.of("1e400", "-1e-400", "1.7976931348623157e309", "1e-999999999")
                .map(number -> DecimalNode.valueOf(new BigDecimal(number))),
            text().map(TextNode::valueOf));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> json(depth - 1));
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(values -> {
            ArrayNode node = JsonNodeFactory.instance.arrayNode();
            values.forEach(node::add);
            return node;
        });
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(8));
        Arbitrary<JsonNode> object = Arbitraries.maps(keys, child).ofMaxSize(6).map(fields -> {
            ObjectNode node = Json.object();
            fields.forEach(node::set);
            return node;
        });
        return Arbitraries.frequencyOf(
            Tuple.of(3, leaf), Tuple.of(2, array), Tuple.of(4, object));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.of(MEANINGFUL),
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
            Arbitraries.strings().withCharRange('\u0000', '\u2fff').ofMaxLength(40));
    }

    /** Valid frames of every dialect, whose fields the mutation replaces one at a time. */
    private static List<ObjectNode> validFrames() {
        return List.of(
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
    }

    private static ObjectNode frame(String json) {
        try {
            return (ObjectNode) Json.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** Replaces the value at one of the frame's fields or array elements, counted depth-first, by {@code value}. */
    private static JsonNode replaceOne(ObjectNode frame, int slot, JsonNode value) {
        List<Runnable> replacements = new ArrayList<>();
        collectReplacements(frame, value, replacements);
        replacements.get(slot % replacements.size()).run();
        return frame;
    }

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
}

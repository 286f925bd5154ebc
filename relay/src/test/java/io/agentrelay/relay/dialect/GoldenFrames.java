package io.agentrelay.relay.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.relay.auth.Grants;
import org.junit.jupiter.api.DynamicTest;

/**
 * Golden-frame tests of one dialect: each file under {@code golden/<dialect>/} is a message of the dialect's seed
 * document (or a sequence of them, {@code "exchanges": [...]}), with what the relay makes of it. A fresh dialect
 * decodes or encodes each file's exchanges in order, so a dialect that keeps state per session (AgentCraft's app
 * endpoint) is tested from a clean start.
 *
 * <p>An exchange is one input and what it must give:
 * <ul>
 *   <li>{@code client}: a client frame, decoded; {@code request} is the request (its record type, name and fields),
 *       or {@code error} the error frame of a refused one;</li>
 *   <li>{@code event} (with an optional {@code position}): an event or executor reply, encoded; {@code frame} is
 *       the frame, or null when the dialect's clients do not get it, and {@code trailer} the second frame (a file
 *       without {@code trailer} expects none);</li>
 *   <li>{@code replayed} (with {@code position}): an event sent again by a replay; {@code frame};</li>
 *   <li>{@code response}: {@code {request: client frame, data}}, the relay's own answer; {@code frame};</li>
 *   <li>{@code error}: {@code {code, message, correlation_id}}; {@code frame};</li>
 *   <li>{@code replay_completed}: {@code {request: client frame, channel, count}}, or {@code {id, channel, count}}
 *       for a dialect whose clients cannot ask for a replay themselves; {@code frame};</li>
 *   <li>{@code open}: {@code {resource}}, a new connection; {@code opening} is its welcome frame and the requests it
 *       implies, or its refusal;</li>
 *   <li>{@code ping}: the server's heartbeat; {@code frame};</li>
 *   <li>{@code sessions}: the active sessions, as snapshots; {@code frame}.</li>
 * </ul>
 * Every file starts with {@code "//"}, saying which part of the seed document it copies and where the relay
 * deliberately differs. In expected frames, a marker stands for a value the relay makes up: {@code <uuid>} a random
 * UUID, {@code <iso-time>} an ISO-8601 instant, {@code <epoch-seconds>} a number of seconds since the epoch (the
 * relay's clock), {@code <any>} any string, number or boolean (text the relay does not own, such as a JSON parser's
 * message); {@code prefix<marker>} is text that starts with the prefix and goes on as the marker says. Every other
 * field, and a field's absence, is asserted as it is.
 *
 * <p>Run with {@code -Dgolden.update=true} after a deliberate change of a frame: each file whose frames differ is
 * rewritten under {@code src/test/resources/golden} with what the code gives (markers kept where they still match) and
 * its test fails, saying so; read the diff, then run again without the property.
 */
public final class GoldenFrames {

    private static final String ANY = "<any>";
    private static final String UUID_TEXT = "<uuid>";
    private static final String ISO_TIME = "<iso-time>";
    private static final String EPOCH_SECONDS = "<epoch-seconds>";
    private static final List<String> MARKERS = List.of(ANY, UUID_TEXT, ISO_TIME, EPOCH_SECONDS);
    /** The outputs a file may leave out when it expects none. */
    private static final Set<String> OPTIONAL = Set.of("trailer");
    /** The connection every exchange happens on, unless its file names a resource. */
    private static final String CONNECTION_ID = "conn-1";

    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    /** Writes as the golden files are written: {@code "name": value}, one array element a line, {@code []}. */
    private static final ObjectWriter PRETTY = Json.writer().with(new DefaultPrettyPrinter(
        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("").withArrayEmptySeparator(""))
        .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

    private GoldenFrames() {
    }

    /**
     * @param dialectDir the directory under {@code golden/}
     * @param dialect    makes a fresh dialect for each file
     * @return one test per file
     */
    public static Stream<DynamicTest> tests(String dialectDir, Supplier<Dialect> dialect) {
        return files(dialectDir).stream().map(file -> DynamicTest.dynamicTest(dialectDir + "/" + file.getFileName(),
            file.toUri(), () -> check(file, dialect.get())));
    }

    private static List<Path> files(String dialectDir) {
        URL url = GoldenFrames.class.getResource("/golden/" + dialectDir);
        assertThat(url).as("golden/%s on the test class path", dialectDir).isNotNull();
        try (Stream<Path> listed = Files.list(Path.of(url.toURI()))) {
            List<Path> files = listed.filter(path -> path.toString().endsWith(".json")).sorted().toList();
            assertThat(files).as("golden files in %s", dialectDir).isNotEmpty();
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(Path file, Dialect dialect) throws IOException {
        ObjectNode golden = (ObjectNode) Json.readTree(Files.readAllBytes(file));
        JsonNode before = golden.deepCopy();
        assertThat(golden.path("//").isMissingNode()).as("%s says where it comes from in \"//\"", file).isFalse();
        Connection connection = new Connection(CONNECTION_ID, golden.path("resource").textValue(),
            Grants.unrestricted());
        List<ObjectNode> exchanges = new ArrayList<>();
        if (golden.has("exchanges")) {
            golden.get("exchanges").forEach(exchange -> exchanges.add((ObjectNode) exchange));
        } else {
            exchanges.add(golden);
        }
        for (int i = 0; i < exchanges.size(); i++) {
            ObjectNode exchange = exchanges.get(i);
            for (Map.Entry<String, JsonNode> actual : run(exchange, dialect, connection).entrySet()) {
                String key = actual.getKey();
                JsonNode expected = exchange.has(key) || !OPTIONAL.contains(key) ? exchange.get(key)
                    : NullNode.getInstance();
                if (UPDATE) {
                    JsonNode kept = keepMarkers(expected, actual.getValue());
                    if (exchange.has(key) || !kept.isNull()) {
                        exchange.set(key, kept);
                    }
                } else {
                    assertMatches(file.getFileName() + (exchanges.size() > 1 ? " exchange " + i : "") + ", " + key,
                        expected, actual.getValue());
                }
            }
        }
        if (UPDATE && !golden.equals(before)) {
            Path source = source(file);
            Files.writeString(source, PRETTY.writeValueAsString(golden) + "\n");
            fail("rewrote %s; review the diff", source);
        }
    }

    /** The golden file in the module's sources, of which the class path holds a copy in target/test-classes. */
    private static Path source(Path copy) {
        Path testClasses = copy.getParent().getParent().getParent();
        assertThat(testClasses.getFileName()).as("where %s was copied to", copy).hasToString("test-classes");
        return testClasses.getParent().getParent().resolve("src/test/resources").resolve(testClasses.relativize(copy));
    }

    /** What the dialect gives for the exchange's input, by the name of the field that holds the expected value. */
    private static Map<String, JsonNode> run(ObjectNode exchange, Dialect dialect, Connection connection)
        throws IOException {
        if (exchange.has("client")) {
            try {
                return Map.of("request", describe(dialect.decode(text(exchange.get("client")), connection)));
            } catch (InvalidFrameException e) {
                return Map.of("error", frame(dialect.error(e.code(), e.getMessage(), e.requestId().orElse(null))));
            }
        }
        if (exchange.has("event")) {
            Event event = Json.readerFor(Event.class).readValue(exchange.get("event"));
            Map<String, JsonNode> frames = new LinkedHashMap<>();
            frames.put("frame", frame(dialect.encode(event, position(exchange))));
            frames.put("trailer", frame(dialect.trailer(event)));
            return frames;
        }
        if (exchange.has("replayed")) {
            Event event = Json.readerFor(Event.class).readValue(exchange.get("replayed"));
            return Map.of("frame", frame(dialect.replayed(event, position(exchange))));
        }
        if (exchange.has("response")) {
            JsonNode response = exchange.get("response");
            Request request = dialect.decode(text(response.get("request")), connection);
            return Map.of("frame", frame(dialect.response(request, response.get("data"))));
        }
        if (exchange.has("error")) {
            JsonNode error = exchange.get("error");
            return Map.of("frame", frame(dialect.error(ErrorCode.valueOf(error.get("code").asText()),
                error.get("message").asText(), error.path("correlation_id").textValue())));
        }
        if (exchange.has("replay_completed")) {
            JsonNode done = exchange.get("replay_completed");
            Request request = done.has("request") ? dialect.decode(text(done.get("request")), connection)
                : new Request.Replay(done.get("id").asText(), ReadScope.parse(done.get("channel").asText()), null, null,
                    0, EventQuery.ALL);
            return Map.of("frame", frame(dialect.replayCompleted(request, done.get("channel").asText(),
                done.get("count").asLong())));
        }
        if (exchange.has("open")) {
            return Map.of("opening", describe(dialect.open(connection, "relay-1")));
        }
        if (exchange.has("ping")) {
            return Map.of("frame", frame(dialect.ping()));
        }
        if (exchange.has("sessions")) {
            List<SessionSnapshot> sessions = new ArrayList<>();
            for (JsonNode session : exchange.get("sessions")) {
                sessions.add(Json.readerFor(SessionSnapshot.class).readValue(session));
            }
            return Map.of("frame", frame(dialect.sessionsChanged(connection, sessions)));
        }
        throw new IllegalArgumentException("no input in " + exchange);
    }

    /** A client frame as sent: a JSON string holds a frame that is not JSON. */
    private static String text(JsonNode frame) {
        return frame.isTextual() ? frame.asText() : frame.toString();
    }

    private static Position position(ObjectNode exchange) {
        return exchange.hasNonNull("position") ? Position.decode(exchange.get("position").asText()) : null;
    }

    private static JsonNode frame(byte[] bytes) throws IOException {
        return bytes == null ? NullNode.getInstance() : Json.readTree(bytes);
    }

    /** A request as its record type, its canonical name and its fields; sets sorted, as they have no order. */
    private static JsonNode describe(Request request) {
        ObjectNode described = Json.object().put("type", request.getClass().getSimpleName())
            .put("name", request.name());
        described.setAll((ObjectNode) Json.tree(request));
        for (RecordComponent component : request.getClass().getRecordComponents()) {
            if (Set.class.isAssignableFrom(component.getType())) {
                ArrayNode sorted = described.putArray(component.getName());
                ((Set<?>) invoke(component, request)).stream().map(String::valueOf).sorted().forEach(sorted::add);
            }
        }
        return described;
    }

    private static Object invoke(RecordComponent component, Request request) {
        try {
            return component.getAccessor().invoke(request);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode describe(Opening opening) throws IOException {
        ObjectNode described = Json.object();
        if (opening instanceof Opening.Accept accept) {
            described.set("welcome", frame(accept.welcome()));
            ArrayNode requests = described.putArray("requests");
            accept.requests().forEach(request -> requests.add(describe(request)));
        } else if (opening instanceof Opening.Refuse refuse) {
            described.putObject("refuse").put("code", refuse.code()).put("reason", refuse.reason());
        }
        return described;
    }

    /** What the code gives, with the golden file's markers kept where they still match. */
    private static JsonNode keepMarkers(JsonNode expected, JsonNode actual) {
        if (expected == null) {
            return actual;
        }
        if (marker(expected) != null && matches(expected.asText(), actual)) {
            return expected;
        }
        if (expected.isObject() && actual.isObject()) {
            ObjectNode kept = ((ObjectNode) actual).deepCopy();
            actual.fieldNames().forEachRemaining(name -> kept.set(name, keepMarkers(expected.get(name),
                actual.get(name))));
            return kept;
        }
        if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            ArrayNode kept = Json.object().arrayNode();
            for (int i = 0; i < actual.size(); i++) {
                kept.add(keepMarkers(expected.get(i), actual.get(i)));
            }
            return kept;
        }
        return actual;
    }

    /** The marker the expected value ends with, or null when it is a plain value. */
    private static String marker(JsonNode expected) {
        return expected.isTextual() ? MARKERS.stream().filter(expected.asText()::endsWith).findFirst().orElse(null)
            : null;
    }

    /** Whether the actual value is what the expected prefix and marker describe: always a single value. */
    private static boolean matches(String expected, JsonNode actual) {
        String marker = MARKERS.stream().filter(expected::endsWith).findFirst().orElseThrow();
        String prefix = expected.substring(0, expected.length() - marker.length());
        if (actual == null || !actual.isValueNode() || actual.isNull()) {
            return false;
        }
        if (EPOCH_SECONDS.equals(marker)) {
            return prefix.isEmpty() && actual.isNumber() && actual.decimalValue().signum() > 0;
        }
        if (!(actual.isTextual() || ANY.equals(marker) && prefix.isEmpty()) || !actual.asText().startsWith(prefix)) {
            return false;
        }
        String rest = actual.asText().substring(prefix.length());
        try {
            switch (marker) {
                case UUID_TEXT -> {
                    return UUID.fromString(rest).toString().equals(rest);
                }
                case ISO_TIME -> {
                    return Instant.parse(rest) != null;
                }
                default -> {
                    return true;
                }
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return false;
        }
    }

    private static void assertMatches(String where, JsonNode expected, JsonNode actual) {
        if (expected == null) {
            fail("%s: the golden file has no expected value; the code gives%n%s", where, actual.toPrettyString());
        }
        List<String> differences = new ArrayList<>();
        compare("", expected, actual, differences);
        if (!differences.isEmpty()) {
            fail("%s differs from its golden frame:%n  %s%nactual:%n%s", where, String.join("\n  ", differences),
                actual.toPrettyString());
        }
    }

    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (marker(expected) != null) {
            if (!matches(expected.asText(), actual)) {
                differences.add(path + ": expected " + expected + ", was " + actual);
            }
            return;
        }
        if (actual == null) {
            differences.add(path + ": expected " + expected + ", was missing");
        } else if (expected.isObject() && actual.isObject()) {
            for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                compare(path + "." + name, expected.get(name), actual.get(name), differences);
            }
            actual.fieldNames().forEachRemaining(name -> {
                if (!expected.has(name)) {
                    differences.add(path + "." + name + ": not expected, was " + actual.get(name));
                }
            });
        } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) {
                compare(path + "[" + i + "]", expected.get(i), actual.get(i), differences);
            }
        } else if (expected.isNumber() && actual.isNumber()) {
            // An int and a long of the same value are the same JSON.
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                differences.add(path + ": expected " + expected + ", was " + actual);
            }
        } else if (!expected.equals(actual)) {
            differences.add((path.isEmpty() ? "frame" : path) + ": expected " + expected + ", was " + actual);
        }
    }
}

package io.agentrelay.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * The wire contract, {@code docs/asyncapi.yaml}, read at test time: the JSON Schemas of each channel's messages (the
 * payload, and on Kafka the record key and headers), to check real frames and records against, so that the document
 * cannot drift from the code unnoticed.
 */
final class AsyncApiContract {

    /** The document, relative to the relay module's directory, where Maven runs its tests. */
    static final Path DOCUMENT = Path.of("..", "docs", "asyncapi.yaml").toAbsolutePath().normalize();

    // The document's own address for the schema registry, so that '#/components/...' references resolve inside it.
    private static final String BASE = "https://agent-relay.invalid/asyncapi.yaml";

    private final JsonNode document;
    private final SchemaRegistry registry;

    private AsyncApiContract(JsonNode document) {
        this.document = document;
        String json = document.toString();
        // AsyncAPI's default schema format is a superset of JSON Schema draft 7.
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
            builder -> builder.schemas(Map.of(BASE, json)));
    }

    static AsyncApiContract load(Path file) {
        try {
            return new AsyncApiContract(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One message of a channel.
     *
     * @param id      its key under {@code components.messages}
     * @param name    its {@code name}: the request, event or command kind it is
     * @param payload the schema of the frame or the record's value
     * @param key     the schema of the record key, or null
     * @param headers the schema of the record headers, or null
     */
    record Message(String id, String name, Schema payload, Schema key, Schema headers) {
    }

    /**
     * @param channel a key under the document's {@code channels}, such as {@code canonical} or {@code workflowEvents}
     * @return its messages
     */
    List<Message> messages(String channel) {
        JsonNode messages = document.path("channels").path(channel).path("messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("the document has no channel '" + channel + "' with messages");
        }
        List<Message> result = new ArrayList<>();
        messages.properties().forEach(entry -> {
            String pointer = entry.getValue().path("$ref").asText();
            JsonNode message = document.at(pointer.substring(1));
            result.add(new Message(entry.getKey(), message.path("name").asText(), schema(pointer + "/payload"),
                message.path("bindings").path("kafka").has("key") ? schema(pointer + "/bindings/kafka/key") : null,
                message.has("headers") ? schema(pointer + "/headers") : null));
        });
        return result;
    }

    private Schema schema(String pointer) {
        return registry.getSchema(SchemaLocation.of(BASE + pointer));
    }

    /** @return the ids of every message the document's channels carry */
    Set<String> messageIds() {
        Set<String> ids = new TreeSet<>();
        document.path("channels").forEach(channel -> channel.path("messages").properties()
            .forEach(entry -> ids.add(entry.getKey())));
        return ids;
    }

    /**
     * How a frame or record fares against a channel's messages.
     *
     * @param match      the first message that allows it, or null
     * @param violations what is wrong with it when none does: the errors against the messages of its name, or, for a
     *                   value without a name (a state record), against the closest message
     */
    record Verdict(Message match, List<String> violations) {
    }

    /**
     * Checks a frame or record against the messages of its name ({@code event}, a command's {@code payload.kind}, or
     * {@code type}); a value without one (the state topic's) against all of the channel's messages. A message with a
     * key or headers requires them: a record without a key fails, and one with a header the message does not list.
     *
     * @param messages the channel's messages
     * @param key      the record key, or null (a frame, or a record without a key)
     * @param headers  the record headers as text, or null for a frame
     * @param value    the frame or the record value
     */
    static Verdict check(List<Message> messages, String key, JsonNode headers, JsonNode value) {
        String name = value.path("event").asText(value.path("payload").path("kind").asText(value.path("type").asText()));
        List<Message> candidates = name.isEmpty() ? messages
            : messages.stream().filter(m -> m.name().equals(name)).toList();
        if (candidates.isEmpty()) {
            return new Verdict(null, List.of("no message named '" + name + "'"));
        }
        List<List<String>> failures = new ArrayList<>();
        for (Message message : candidates) {
            List<String> errors = new ArrayList<>();
            message.payload().validate(value).forEach(e -> errors.add(message.id() + ": " + e));
            if (message.key() != null) {
                if (key == null) {
                    errors.add(message.id() + " key: missing");
                } else {
                    message.key().validate(new TextNode(key)).forEach(e -> errors.add(message.id() + " key: " + e));
                }
            }
            if (message.headers() != null) {
                message.headers().validate(headers == null ? NullNode.getInstance() : headers)
                    .forEach(e -> errors.add(message.id() + " headers: " + e));
            }
            if (errors.isEmpty()) {
                return new Verdict(message, List.of());
            }
            failures.add(errors);
        }
        return new Verdict(null, failures.stream().min(Comparator.comparingInt(List::size)).orElseThrow());
    }

    /** @return what is wrong with a frame or record, see {@link #check} */
    static List<String> violations(List<Message> messages, String key, JsonNode headers, JsonNode value) {
        return check(messages, key, headers, value).violations();
    }
}

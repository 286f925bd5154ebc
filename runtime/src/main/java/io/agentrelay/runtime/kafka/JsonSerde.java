package io.agentrelay.runtime.kafka;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectReader;
import io.agentrelay.common.json.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer and deserializer of one record type, in the project's {@link Json} form.
 *
 * @param <T> the record type
 */
public final class JsonSerde<T> implements Serializer<T>, Deserializer<T> {

    private final ObjectReader reader;

    private JsonSerde(Class<T> type) {
        this.reader = Json.readerFor(type);
    }

    /**
     * @param type the record type
     * @param <T>  the record type
     * @return a serde of that type
     */
    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : Json.toBytes(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return reader.readValue(data);
        } catch (IOException | RuntimeException e) {
            // Kafka turns this into a RecordDeserializationException that names the partition and offset.
            throw new SerializationException("cannot read a record of " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Configured by its type alone.
    }

    @Override
    public void close() {
        // Holds nothing to release.
    }
}

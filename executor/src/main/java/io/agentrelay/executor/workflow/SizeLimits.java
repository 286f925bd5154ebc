package io.agentrelay.executor.workflow;

import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.executor.spi.ToolException;

/**
 * The sizes an executor writes, checked before anything is sent: Kafka refuses a record over its
 * {@code max.request.size} or {@code message.max.bytes}, and a refused record must fail its own step, never stall the
 * others behind it.
 *
 * @param maxOutputBytes   the largest node output, as JSON
 * @param maxEventBytes    the largest event, as JSON
 * @param maxSnapshotBytes the largest snapshot, as JSON
 */
public record SizeLimits(int maxOutputBytes, int maxEventBytes, int maxSnapshotBytes) {

    /**
     * @param config the executor's settings
     * @return its limits
     */
    public static SizeLimits of(ExecutorConfig config) {
        return new SizeLimits(config.maxOutputBytes(), config.maxEventBytes(), config.maxSnapshotBytes());
    }

    /**
     * Checks a node's output.
     *
     * @param output what the tool returned
     * @return the output, when it can be written and is within the limit
     * @throws ToolException why not, which fails the node
     */
    JsonNode output(JsonNode output) throws ToolException {
        int size;
        try {
            size = Json.toBytes(output).length;
        } catch (RuntimeException e) {
            throw new ToolException("its output cannot be written as JSON: " + rootMessage(e));
        }
        if (size > maxOutputBytes) {
            throw new ToolException("its output is " + size + " bytes, over the limit of " + maxOutputBytes
                + " (EXECUTOR_MAX_OUTPUT_BYTES)");
        }
        return output;
    }

    /**
     * Serializes an event and checks its size.
     *
     * @param event the event
     * @return its bytes
     * @throws UnwritableStepException when it cannot be written or is over the limit
     */
    public byte[] event(Event event) {
        return checked("the " + event.event() + " event", maxEventBytes, "EXECUTOR_MAX_EVENT_BYTES",
            () -> Json.toBytes(event));
    }

    /**
     * Serializes a snapshot and checks its size.
     *
     * @param key   the entity it is the snapshot of
     * @param bytes serializes it
     * @return its bytes
     * @throws UnwritableStepException when it cannot be written or is over the limit
     */
    public byte[] snapshot(String key, Supplier<byte[]> bytes) {
        return checked("the state of " + key, maxSnapshotBytes, "EXECUTOR_MAX_SNAPSHOT_BYTES", bytes);
    }

    private static byte[] checked(String what, int limit, String setting, Supplier<byte[]> write) {
        byte[] bytes;
        try {
            bytes = write.get();
        } catch (RuntimeException e) {
            throw new UnwritableStepException(what + " cannot be written as JSON: " + rootMessage(e));
        }
        if (bytes != null && bytes.length > limit) {
            throw new UnwritableStepException(what + " would be " + bytes.length + " bytes, over the limit of "
                + limit + " (" + setting + ")");
        }
        return bytes;
    }

    /**
     * @param failure an exception
     * @return the message of its innermost cause, or that cause's class name when it has none
     */
    public static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}

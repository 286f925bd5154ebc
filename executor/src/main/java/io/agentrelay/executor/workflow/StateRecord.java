package io.agentrelay.executor.workflow;

import java.util.List;
import java.util.function.Function;

import io.agentrelay.common.json.Json;

/**
 * An entity's snapshot for the state topic, written in the same transaction as the events of its step.
 *
 * @param key          the entity key, such as {@code workflow:<id>}
 * @param value        the snapshot's bytes given the offsets of the step's events (in order), or null for a
 *                     tombstone; a snapshot that names the position of its own last event (a panel's) needs them
 * @param namesOffsets whether the bytes depend on those offsets; when not, they are written as the sink first
 *                     serialized them
 */
public record StateRecord(String key, Function<List<Long>, byte[]> value, boolean namesOffsets) {

    /**
     * @param key      the entity key
     * @param snapshot the snapshot, a record
     * @return a state record that does not depend on the step's event offsets
     */
    public static StateRecord of(String key, Record snapshot) {
        return new StateRecord(key, offsets -> Json.toBytes(snapshot), false);
    }

    /**
     * @param key      the entity key
     * @param snapshot builds the snapshot from the offsets of the step's events
     * @return a state record written after the step's events are placed
     */
    public static StateRecord afterEvents(String key, Function<List<Long>, Record> snapshot) {
        return new StateRecord(key, offsets -> Json.toBytes(snapshot.apply(offsets)), true);
    }
}

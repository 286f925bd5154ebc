package io.agentrelay.executor.panel;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.executor.spi.StateMutation;
import io.agentrelay.executor.spi.ToolException;

/** Applies mutations to a panel's state: to a copy, all or none. */
final class StateMutations {

    private StateMutations() {
    }

    /**
     * @param state     the current state; not changed
     * @param mutations the changes, in order
     * @return the new state
     * @throws ToolException when a path crosses a value that is not an object, or appends to one that is not an array
     */
    static ObjectNode apply(JsonNode state, List<StateMutation> mutations) throws ToolException {
        ObjectNode next = state.deepCopy();
        for (StateMutation mutation : mutations) {
            String[] keys = mutation.path().split("\\.");
            ObjectNode parent = parentOf(next, keys, mutation);
            String last = keys[keys.length - 1];
            switch (mutation.op()) {
                case SET -> parent.set(last, mutation.value().deepCopy());
                case DELETE -> parent.remove(last);
                case APPEND -> {
                    JsonNode target = parent.get(last);
                    if (target == null || target.isNull()) {
                        target = parent.putArray(last);
                    }
                    if (!target.isArray()) {
                        throw new ToolException("cannot append to '" + mutation.path() + "': it is not an array");
                    }
                    ((ArrayNode) target).add(mutation.value().deepCopy());
                }
                default -> throw new IllegalStateException("unknown mutation " + mutation.op());
            }
        }
        return next;
    }

    private static ObjectNode parentOf(ObjectNode root, String[] keys, StateMutation mutation) throws ToolException {
        ObjectNode node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode child = node.get(keys[i]);
            if (child == null || child.isNull()) {
                if (mutation.op() == StateMutation.Op.DELETE) {
                    // Deleting under a missing object changes nothing; a scratch object absorbs it.
                    return root.objectNode();
                }
                child = node.putObject(keys[i]);
            }
            if (!child.isObject()) {
                throw new ToolException("cannot " + mutation.op().name().toLowerCase(java.util.Locale.ROOT) + " '"
                    + mutation.path() + "': '" + keys[i] + "' is not an object");
            }
            node = (ObjectNode) child;
        }
        return node;
    }
}

package io.agentrelay.common.query;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.Event;

/**
 * Which events of a read of history to keep: event names matching one of some patterns ({@code workflow.fail*},
 * {@code node.*}), and fields of the data equal to some values ({@code data.tool=read_file}). Empty lists keep
 * everything.
 *
 * @param events event name patterns, {@code *} matching any run of characters; any of them may match
 * @param where  data fields, as dotted paths below {@code data}, and the text each must equal; all must match
 */
public record EventQuery(List<String> events, Map<String, String> where) {

    /** Keeps every event. */
    public static final EventQuery ALL = new EventQuery(List.of(), Map.of());

    private static final Pattern FIELD = Pattern.compile("data(\\.[A-Za-z0-9_-]+)+");

    /** Copies the collections and checks the fields' paths. */
    public EventQuery {
        events = List.copyOf(events);
        where = Map.copyOf(where);
        for (String field : where.keySet()) {
            if (!FIELD.matcher(field).matches()) {
                throw new IllegalArgumentException("'" + field + "' is not a field of the data such as data.tool");
            }
        }
    }

    /**
     * @param events event name patterns, each possibly a comma-separated list
     * @param where  conditions written {@code data.<field>=<value>}
     * @return the query
     * @throws IllegalArgumentException when a condition is not of that form
     */
    public static EventQuery parse(List<String> events, List<String> where) {
        List<String> patterns = events.stream().flatMap(list -> List.of(list.split(",")).stream())
            .map(String::trim).filter(pattern -> !pattern.isEmpty()).toList();
        Map<String, String> fields = where.stream().collect(Collectors.toMap(condition -> field(condition, 0),
            condition -> field(condition, 1), (first, second) -> {
                throw new IllegalArgumentException("a field is compared twice: " + where);
            }));
        return new EventQuery(patterns, fields);
    }

    private static String field(String condition, int part) {
        int equals = condition.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("'" + condition + "' is not of the form data.<field>=<value>");
        }
        return part == 0 ? condition.substring(0, equals).trim() : condition.substring(equals + 1);
    }

    /**
     * @param event an event read from history
     * @return whether the query keeps it
     */
    public boolean matches(Event event) {
        return (events.isEmpty() || events.stream().anyMatch(pattern -> glob(pattern, event.event())))
            && where.entrySet().stream().allMatch(condition -> condition.getValue().equals(text(event.data(),
                condition.getKey())));
    }

    /** Whether the query keeps everything. */
    public boolean isAll() {
        return events.isEmpty() && where.isEmpty();
    }

    private static String text(JsonNode data, String field) {
        JsonNode node = data;
        for (String name : field.substring("data.".length()).split("\\.")) {
            node = node.path(name);
        }
        return node.isValueNode() ? node.asText() : null;
    }

    /** Whether a name matches a pattern whose {@code *} stand for any run of characters. */
    private static boolean glob(String pattern, String name) {
        String[] parts = pattern.split("\\*", -1);
        if (parts.length == 1) {
            return pattern.equals(name);
        }
        if (!name.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = name.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return name.length() - at >= last.length() && name.endsWith(last);
    }
}

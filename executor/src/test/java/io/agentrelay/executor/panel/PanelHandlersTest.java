package io.agentrelay.executor.panel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.PanelCall;
import io.agentrelay.executor.spi.PanelOutcome;
import io.agentrelay.executor.spi.StateMutation;
import io.agentrelay.executor.spi.ToolException;
import org.junit.jupiter.api.Test;

class PanelHandlersTest {

    private final PanelHandlers handlers = PanelHandlers.of(List.of());
    private final ObjectNode state = (ObjectNode) Json.tree(java.util.Map.of("count", 2, "todos",
        List.of("milk"), "filters", java.util.Map.of("done", true)));

    @Test
    void shouldApplySetDeleteAndAppendToACopyAtDottedPaths() throws Exception {
        // JSON objects compare by their fields, in any order.
        ObjectNode next = StateMutations.apply(state, List.of(
            StateMutation.set("filters.owner", Json.tree("ann")),
            StateMutation.delete("filters.done"),
            StateMutation.append("todos", Json.tree("tea")),
            StateMutation.append("tags", Json.tree("new")),
            StateMutation.set("deep.er.value", Json.tree(1)),
            StateMutation.delete("missing.key")));

        assertThat(next).isEqualTo(Json.readTree(
            "{\"count\":2,\"todos\":[\"milk\",\"tea\"],\"filters\":{\"owner\":\"ann\"},\"tags\":[\"new\"],"
                + "\"deep\":{\"er\":{\"value\":1}}}"));
        assertThat(state.path("todos")).as("the original is unchanged").hasSize(1);
    }

    @Test
    void shouldRefuseMutationsThroughValuesOfTheWrongKindAndChangeNothing() {
        assertThatThrownBy(() -> StateMutations.apply(state, List.of(StateMutation.set("count", Json.tree(3)),
            StateMutation.append("count", Json.tree(1)))))
            .isInstanceOf(ToolException.class).hasMessage("cannot append to 'count': it is not an array");
        assertThatThrownBy(() -> StateMutations.apply(state, List.of(StateMutation.set("count.x", Json.tree(1)))))
            .isInstanceOf(ToolException.class).hasMessage("cannot set 'count.x': 'count' is not an object");
        assertThat(state.path("count").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> StateMutation.set("a..b", Json.tree(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRunTheBuiltInHandlersWithArgsOverParams() throws Exception {
        PanelOutcome added = handle("add", Json.object().put("path", "count"), Json.object().put("by", 5));
        assertThat(added.mutations()).containsExactly(StateMutation.set("count", Json.tree(7L)));
        assertThat(added.returnValue().asLong()).isEqualTo(7);

        PanelOutcome fraction = handle("add", Json.object().put("path", "count"), Json.object().put("by", 0.5));
        assertThat(fraction.returnValue().asDouble()).isEqualTo(2.5);

        PanelOutcome fresh = handle("add", Json.object().put("path", "visits"), Json.object());
        assertThat(fresh.returnValue().asLong()).isEqualTo(1);

        PanelOutcome set = handle("set", Json.object().put("path", "filters.done"), Json.object().put("value", false));
        assertThat(set.mutations()).containsExactly(StateMutation.set("filters.done", Json.tree(false)));

        PanelOutcome appended = handle("append", Json.object().put("path", "todos"), Json.object().put("value", "x"));
        assertThat(appended.mutations()).containsExactly(StateMutation.append("todos", Json.tree("x")));

        PanelOutcome deleted = handle("delete", Json.object(), Json.object().put("path", "todos"));
        assertThat(deleted.mutations()).containsExactly(StateMutation.delete("todos"));
        assertThat(deleted.returnValue().asBoolean()).isTrue();

        PanelOutcome emitted = handle("emit", Json.object().put("event", "pinged"), Json.object().put("who", "ann"));
        assertThat(emitted.mutations()).isEmpty();
        assertThat(emitted.events()).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("pinged");
            assertThat(event.data().path("who").asText()).isEqualTo("ann");
        });
    }

    @Test
    void shouldExplainWhyAHandlerCannotRun() {
        assertThatThrownBy(() -> handle("add", Json.object().put("path", "todos"), Json.object()))
            .hasMessage("'todos' is not a number");
        assertThatThrownBy(() -> handle("add", Json.object().put("path", "count"), Json.object().put("by", "two")))
            .hasMessage("'by' must be a number");
        assertThatThrownBy(() -> handle("set", Json.object(), Json.object().put("value", 1)))
            .hasMessage("'path' is required");
        assertThatThrownBy(() -> handle("set", Json.object().put("path", ".x"), Json.object().put("value", 1)))
            .hasMessageContaining("object keys separated by dots");
        assertThatThrownBy(() -> handle("emit", Json.object(), Json.object())).hasMessage("'event' is required");
    }

    private PanelOutcome handle(String handler, JsonNode params, JsonNode args) throws ToolException {
        return handlers.find(handler).orElseThrow().handle(new PanelCall("p", "tool", state.deepCopy(), params, args));
    }
}

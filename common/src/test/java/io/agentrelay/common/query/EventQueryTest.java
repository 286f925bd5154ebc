package io.agentrelay.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import org.junit.jupiter.api.Test;

class EventQueryTest {

    private static Event event(String name, String tool) {
        return Event.of(Channel.of(Namespace.WORKFLOW, "wf-1"), name, Json.object().put("tool", tool)
            .set("nested", Json.object().put("level", 2)));
    }

    @Test
    void shouldKeepEventsWhoseNameMatchesAPatternAndWhoseFieldsAllMatch() {
        EventQuery query = EventQuery.parse(List.of("workflow.fail*,node.*ed"), List.of("data.tool=read_file"));
        assertThat(query.matches(event("workflow.failed", "read_file"))).isTrue();
        assertThat(query.matches(event("node.started", "read_file"))).isTrue();
        assertThat(query.matches(event("node.progress", "read_file"))).isFalse();
        assertThat(query.matches(event("workflow.failed", "echo"))).isFalse();
        assertThat(EventQuery.parse(List.of(), List.of("data.nested.level=2")).matches(event("x", "y"))).isTrue();
        assertThat(EventQuery.ALL.matches(event("anything", "at all"))).isTrue();
    }

    @Test
    void shouldRefuseConditionsThatAreNotDataFields() {
        assertThatThrownBy(() -> EventQuery.parse(List.of(), List.of("tool"))).hasMessageContaining("data.<field>");
        assertThatThrownBy(() -> EventQuery.parse(List.of(), List.of("channel=x"))).hasMessageContaining("data.tool");
    }
}

package io.agentrelay.relay.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which event types a session receives, as Praxis's SUBSCRIBE_EVENTS and AgentCraft's log streaming change them. */
class EventFilterTest {

    @Test
    void shouldAcceptEverythingUnlessNamed() {
        EventFilter all = EventFilter.all();

        assertThat(all.accepts("node.started")).isTrue();
        assertThat(all.accepts("anything.else")).isTrue();
    }

    @Test
    void shouldAcceptOnlyTheNamedEventsAsTheyAreAddedAndRemoved() {
        EventFilter filter = EventFilter.of(Set.of("workflow.started"));
        assertThat(filter.accepts("node.started")).isFalse();

        filter.add(Set.of("node.started", "node.completed"));
        assertThat(filter.accepts("node.started")).isTrue();
        assertThat(filter.accepts("workflow.started")).as("kept").isTrue();

        filter.remove(Set.of("workflow.started", "never.added"));
        assertThat(filter.accepts("workflow.started")).isFalse();
        assertThat(filter.names()).containsExactlyInAnyOrder("node.started", "node.completed");
    }
}

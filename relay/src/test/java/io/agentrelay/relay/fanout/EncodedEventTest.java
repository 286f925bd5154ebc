package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.dialect.Dialect;
import io.agentrelay.relay.dialect.agentcraft.AgentCraftDialect;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import org.junit.jupiter.api.Test;

class EncodedEventTest {

    private static final Dialect CANONICAL = new CanonicalDialect();
    private static final Dialect APP = new AgentCraftDialect(List::of, Duration.ofSeconds(30), 60).forReactApp();
    private static final Position POSITION = new Position("AAAAAAAAAAAAAAAAAAAAAA", 3, 42);

    @Test
    void eachSessionGetsItsOwnDialectsFrameAndTrailerWhateverTheOrderOfTheSessions() {
        Event completed = Event.of(Channel.of(Namespace.WORKFLOW, "w1"), "workflow.completed",
            Json.object().put("status", "completed"));
        EncodedEvent encoded = new EncodedEvent(completed, POSITION);

        // Subscribers of two dialects, interleaved as a channel's subscriber set may hand them out.
        for (Dialect dialect : List.of(CANONICAL, APP, APP, CANONICAL, CANONICAL, APP, CANONICAL)) {
            assertThat(encoded.bytesFor(dialect)).isEqualTo(dialect.encode(completed, POSITION));
            if (dialect == APP) {
                assertThat(encoded.trailerFor(dialect)).isNotNull().isEqualTo(dialect.trailer(completed));
            } else {
                assertThat(encoded.trailerFor(dialect)).isNull();
            }
        }
    }

    @Test
    void encodesOnceForEverySubscriberOfADialect() {
        Event started = Event.of(Channel.of(Namespace.WORKFLOW, "w2"), "workflow.started", Json.object());
        EncodedEvent encoded = new EncodedEvent(started, POSITION);

        byte[] first = encoded.bytesFor(CANONICAL);
        encoded.bytesFor(APP);

        assertThat(encoded.bytesFor(CANONICAL)).isSameAs(first);
    }
}

package io.agentrelay.relay.dialect.nexus;

import java.util.Optional;
import java.util.stream.Stream;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.relay.dialect.GoldenFrames;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every message of the Nexus panels seed document, decoded or encoded by the Nexus dialect ({@code golden/nexus}).
 * The relay knows one panel, {@code panel-1}, whose state is {@code {"count": 3}}.
 */
class NexusGoldenFramesTest {

    private static final PanelStates PANELS = panelId -> "panel-1".equals(panelId)
        ? Optional.of(new PanelStates.PanelState(Json.object().put("count", 3), new Position("inc1", 0, 41)))
        : Optional.empty();

    @TestFactory
    Stream<DynamicTest> nexusFrames() {
        return GoldenFrames.tests("nexus", () -> new NexusDialect(PANELS));
    }
}

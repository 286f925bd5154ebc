package io.agentrelay.relay.dialect.agentcraft;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.agentrelay.relay.dialect.GoldenFrames;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every message of AgentCraft's seed document, on the tracker endpoint {@code /ws/agent-tracking/{client_id}}
 * ({@code golden/agentcraft}) and on the React app's {@code /api/ws/agent-tracking/{client_id}}
 * ({@code golden/agentcraft-app}), which keeps each session's agents and answers with the whole state.
 */
class AgentCraftGoldenFramesTest {

    @TestFactory
    Stream<DynamicTest> trackerFrames() {
        return GoldenFrames.tests("agentcraft", () -> new AgentCraftDialect(List::of, Duration.ofSeconds(30), 60));
    }

    @TestFactory
    Stream<DynamicTest> appFrames() {
        return GoldenFrames.tests("agentcraft-app",
            () -> new AgentCraftDialect(List::of, Duration.ofSeconds(30), 60).forReactApp());
    }
}

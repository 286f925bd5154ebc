package io.agentrelay.relay.dialect.praxis;

import java.time.Duration;
import java.util.stream.Stream;

import io.agentrelay.relay.dialect.GoldenFrames;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every message of Praxis's seed documents, decoded or encoded by the Praxis dialect ({@code golden/praxis}). */
class PraxisGoldenFramesTest {

    @TestFactory
    Stream<DynamicTest> praxisFrames() {
        return GoldenFrames.tests("praxis", () -> new PraxisDialect(Duration.ofSeconds(30)));
    }
}

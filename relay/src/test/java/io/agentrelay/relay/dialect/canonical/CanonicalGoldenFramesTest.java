package io.agentrelay.relay.dialect.canonical;

import java.util.stream.Stream;

import io.agentrelay.relay.dialect.GoldenFrames;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The canonical protocol on {@code /ws} and {@code /}: the requests and frames of DESIGN.md's protocol
 * ({@code golden/canonical}), and every message of Mahavishnu's seed document, whose envelope it is
 * ({@code golden/mahavishnu}).
 */
class CanonicalGoldenFramesTest {

    @TestFactory
    Stream<DynamicTest> canonicalFrames() {
        return GoldenFrames.tests("canonical", CanonicalDialect::new);
    }

    @TestFactory
    Stream<DynamicTest> mahavishnuFrames() {
        return GoldenFrames.tests("mahavishnu", CanonicalDialect::new);
    }
}

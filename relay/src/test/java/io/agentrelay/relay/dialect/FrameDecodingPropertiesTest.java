package io.agentrelay.relay.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import io.agentrelay.relay.auth.Grants;
import io.agentrelay.relay.dialect.agentcraft.AgentCraftDialect;
import io.agentrelay.relay.dialect.canonical.CanonicalDialect;
import io.agentrelay.relay.dialect.nexus.NexusDialect;
import io.agentrelay.relay.dialect.praxis.PraxisDialect;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Any text frame, however malformed, is either decoded into a request or refused with an error frame: a decoder never
 * throws anything else, which would escape from the I/O thread and leave the client without an answer. Each test
 * decodes a bounded number of {@link RandomFrames} from a fixed seed on every dialect, in a few seconds in all; a
 * failure names the seed that repeats it ({@code -Dframes.seed=...}).
 */
class FrameDecodingPropertiesTest {

    private static final int TRIES = 300;

    private static List<Named<Dialect>> dialects;

    @BeforeAll
    static void createDialects() {
        dialects = List.of(
            Named.of("canonical", new CanonicalDialect()),
            Named.of("praxis", new PraxisDialect(Duration.ofSeconds(30))),
            Named.of("agentcraft", new AgentCraftDialect(List::of, Duration.ofSeconds(30), 60)),
            Named.of("nexus", new NexusDialect(panelId -> {
                throw new IllegalStateException("decoding must not ask for panels");
            })));
    }

    static List<Named<Dialect>> dialects() {
        return dialects;
    }

    @ParameterizedTest
    @MethodSource("dialects")
    void anyTextIsDecodedOrRefused(Dialect dialect) {
        assertDecodedOrRefused(dialect, new RandomFrames(1L), TRIES, RandomFrames::anyText);
    }

    @ParameterizedTest
    @MethodSource("dialects")
    void anyJsonIsDecodedOrRefused(Dialect dialect) {
        assertDecodedOrRefused(dialect, new RandomFrames(2L), TRIES, RandomFrames::anyJson);
    }

    @ParameterizedTest
    @MethodSource("dialects")
    void aValidFrameWithOneFieldReplacedIsDecodedOrRefused(Dialect dialect) {
        assertDecodedOrRefused(dialect, new RandomFrames(3L), TRIES, RandomFrames::validFrameWithOneFieldReplaced);
    }

    @ParameterizedTest
    @MethodSource("dialects")
    void deepNestingIsDecodedOrRefused(Dialect dialect) {
        assertDecodedOrRefused(dialect, new RandomFrames(4L), 50, RandomFrames::deeplyNested);
    }

    private static void assertDecodedOrRefused(Dialect dialect, RandomFrames frames, int tries,
                                               Function<RandomFrames, String> generator) {
        for (int tryNumber = 1; tryNumber <= tries; tryNumber++) {
            String frame = generator.apply(frames);
            String failure = String.format("%s, try %d with -D%s=%d, frame %s",
                dialect.name(), tryNumber, RandomFrames.SEED_PROPERTY, frames.seed(), frame);
            Connection connection = new Connection(UUID.randomUUID().toString(), "client-1", Grants.unrestricted());
            try {
                Request request = dialect.decode(frame, connection);
                assertThat(request).as("decoded request: %s", failure).isNotNull();
            } catch (InvalidFrameException refused) {
                assertThat(dialect.error(refused.code(), refused.getMessage(), refused.requestId().orElse(null)))
                    .as("error frame: %s", failure).isNotEmpty();
            } catch (RuntimeException | StackOverflowError thrown) {
                fail("threw " + thrown + ": " + failure, thrown);
            }
        }
    }
}

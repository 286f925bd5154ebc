package io.agentrelay.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-23T10:15:30Z", "2026-11-23T10:15:30.1Z", "2026-11-23T10:15:30.123456Z",
        "2026-11-23T10:15:30.123456789Z", "2024-02-29T23:59:59.999999Z", "1970-01-01T00:00:00Z",
        "2000-03-01T00:00:00.000001Z"})
    void shouldReadInstantsToTheMicrosecondLikeTheJdk(String text) {
        Instant instant = Instant.parse(text);
        long expected = ChronoUnit.MICROS.between(Instant.EPOCH, instant);

        assertThat(IsoMicros.parse("x" + text + "\"", 1)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-23 10:15:30Z", "2026-11-23T10:15:30+01:00", "not a time at all", "2026"})
    void shouldRefuseWhatIsNotAUtcInstant(String text) {
        assertThat(IsoMicros.parse(text, 0)).isEqualTo(-1);
    }

    @Test
    void shouldFindTheFieldsOfARelayEventFrameWithoutBeingFooledByItsData() {
        ObjectNode data = Json.object().put("seq", 41).put("room", "not this").put("timestamp", "nor this");
        Instant ts = Instant.parse("2026-11-23T10:15:30.123456Z");
        String frame = Json.toText(new Envelope("e-1", null, Envelope.EVENT, "bench.tick", data, ts,
            "workflow:bench-3", "v1.abc.2.977", null, null, null));

        assertThat(Frame.type(frame)).isEqualTo("event");
        assertThat(Frame.room(frame)).isEqualTo("workflow:bench-3");
        assertThat(Frame.pos(frame)).isEqualTo("v1.abc.2.977");
        assertThat(Frame.seq(frame)).isEqualTo(41);
        assertThat(Frame.timestampMicros(frame)).isEqualTo(ChronoUnit.MICROS.between(Instant.EPOCH, ts));
    }

    @Test
    void shouldReadResponsesAndErrors() {
        String response = "{\"id\":\"r\",\"correlation_id\":\"sub\",\"type\":\"response\",\"event\":\"subscribe\"}";
        String error = "{\"id\":\"r\",\"correlation_id\":\"wx:1\",\"type\":\"error\",\"error_code\":\"RATE_LIMITED\"}";

        assertThat(Frame.type(response)).isEqualTo("response");
        assertThat(Frame.correlationId(response)).isEqualTo("sub");
        assertThat(Frame.seq(response)).isEqualTo(-1);
        assertThat(Frame.type(error)).isEqualTo("error");
        assertThat(Frame.errorCode(error)).isEqualTo("RATE_LIMITED");
        assertThat(Frame.room(error)).isNull();
    }
}

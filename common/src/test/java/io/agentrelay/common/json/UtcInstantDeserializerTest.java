package io.agentrelay.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.agentrelay.common.protocol.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UtcInstantDeserializerTest {

    private static final ObjectReader EVENT = Json.readerFor(Event.class);

    @Test
    void shouldReadEveryInstantAsJavaTimeDoes() {
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                random.nextInt(1_000_000_000));
            Instant truncated = Instant.ofEpochSecond(instant.getEpochSecond(),
                instant.getNano() / 1_000 * 1_000);
            for (Instant value : new Instant[] {instant, truncated, Instant.ofEpochSecond(instant.getEpochSecond())}) {
                assertThat(UtcInstantDeserializer.parse(value.toString())).as(value.toString()).isEqualTo(value);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-02-29T23:59:59.999999999Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.5Z", "2026-11-29T12:00:00.1Z", "2026-12-31T23:59:59.123456Z", "0001-01-01T00:00:00Z"})
    void shouldReadTheEdgesOfTheCalendar(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-29T12:00:00+01:00", "2026-11-29T12:00:00.Z", "2026-02-29T12:00:00Z",
        "1900-02-29T12:00:00Z", "2026-04-31T12:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T23:59:60Z",
        "2026-11-29 12:00:00Z", "2026-11-29T12:00:00.1234567890Z", "+12026-11-29T12:00:00Z", "2026-1a-29T12:00:00Z"})
    void shouldLeaveOtherFormsToJavaTime(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).isNull();
    }

    @Test
    void shouldStillReadWhatJavaTimeReads() throws Exception {
        assertThat(EVENT.<Event>readValue(event("\"2026-11-29T13:00:00.25+01:00\"")).ts())
            .isEqualTo(Instant.parse("2026-11-29T12:00:00.25Z"));
        assertThat(EVENT.<Event>readValue(event("\"2026-11-29T23:59:60Z\"")).ts())
            .isEqualTo(Instant.parse("2026-11-29T23:59:59Z"));
        assertThat(EVENT.<Event>readValue(event("1764417600.5")).ts())
            .isEqualTo(Instant.parse("2025-11-29T12:00:00.5Z"));
        assertThat(EVENT.<Event>readValue(event("\"2026-11-29T12:00:00.123456Z\"")).ts())
            .isEqualTo(Instant.parse("2026-11-29T12:00:00.123456Z"));
    }

    @Test
    void shouldRefuseWhatJavaTimeRefuses() {
        assertThatThrownBy(() -> EVENT.readValue(event("\"2026-02-30T12:00:00Z\"")))
            .isInstanceOf(InvalidFormatException.class);
    }

    /** An instant of a format of its own, such as a record from another system may carry. */
    record Stamped(@JsonFormat(pattern = "yyyy-MM-dd HH:mm", timezone = "UTC") Instant at) {
    }

    @Test
    void shouldReadAnInstantOfAFormatOfItsOwnAsThatFormatSays() throws Exception {
        ObjectReader stamped = Json.readerFor(Stamped.class);
        assertThat(stamped.<Stamped>readValue("{\"at\":\"2026-11-29 12:30\"}").at())
            .isEqualTo(Instant.parse("2026-11-29T12:30:00Z"));
        assertThatThrownBy(() -> stamped.readValue("{\"at\":\"2026-11-29T12:30:00Z\"}"))
            .isInstanceOf(InvalidFormatException.class);
    }

    private static String event(String ts) {
        return "{\"id\":\"e1\",\"channel\":\"workflow:w1\",\"event\":\"node.completed\",\"ts\":" + ts + "}";
    }
}

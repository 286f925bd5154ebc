package io.agentrelay.common.json;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;

/**
 * Reads the instants Agent Relay writes itself, {@code 2026-11-29T10:15:30.123456Z} (UTC, any number of fraction
 * digits up to nine), digit by digit; anything else (offsets, numbers, leap seconds, bad text) goes to Jackson's own
 * {@link InstantDeserializer}, which reads or refuses it as before. Every event carries one, and
 * {@link java.time.format.DateTimeFormatter#ISO_INSTANT} took about 40 % of the time to read an event: replaying
 * history for thousands of resumes reads many. An instant whose property (or type) has a {@code @JsonFormat} of its
 * own is read by Jackson alone, as that format says.
 */
public final class UtcInstantDeserializer extends StdScalarDeserializer<Instant> implements ContextualDeserializer {

    private static final long SECONDS_PER_DAY = 86_400;

    UtcInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property)
        throws JsonMappingException {
        JsonDeserializer<?> javaTime = InstantDeserializer.INSTANT.createContextual(context, property);
        return javaTime == InstantDeserializer.INSTANT ? this : javaTime;
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            Instant instant = parse(parser.getText());
            if (instant != null) {
                return instant;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }

    /**
     * @param text an instant's text
     * @return the instant, or null when the text is not a UTC instant of the plain form
     */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
            || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        int nanos = 0;
        if (length > 20) {
            int fraction = length - 21;
            if (text.charAt(19) != '.' || fraction < 1) {
                return null;
            }
            nanos = digits(text, 20, fraction);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        long seconds = epochDay * SECONDS_PER_DAY + (hour * 60L + minute) * 60 + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /**
     * @param text  a text
     * @param from  where the digits begin
     * @param count how many digits
     * @return the number they write, or -1 when one of them is not a digit
     */
    public static int digits(CharSequence text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}

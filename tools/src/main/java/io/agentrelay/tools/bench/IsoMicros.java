package io.agentrelay.tools.bench;

import io.agentrelay.common.json.UtcInstantDeserializer;

/**
 * Reads an ISO-8601 UTC instant ({@code 2026-11-23T10:15:30.123456Z}, any number of fraction digits) into
 * microseconds since the epoch without allocating, as the load generator does for every frame it receives.
 */
final class IsoMicros {

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private IsoMicros() {
    }

    /**
     * @param text  the text holding the instant
     * @param start where the instant begins
     * @return microseconds since the epoch, or -1 when the text there is not a UTC instant
     */
    static long parse(CharSequence text, int start) {
        if (text.length() < start + 20 || text.charAt(start + 10) != 'T') {
            return -1;
        }
        int year = digits(text, start, 4);
        int month = digits(text, start + 5, 2);
        int day = digits(text, start + 8, 2);
        int hour = digits(text, start + 11, 2);
        int minute = digits(text, start + 14, 2);
        int second = digits(text, start + 17, 2);
        if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) {
            return -1;
        }
        long micros = 0;
        int i = start + 19;
        if (i < text.length() && text.charAt(i) == '.') {
            int scale = 100_000;
            for (i++; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
                micros += (long) (text.charAt(i) - '0') * scale;
                scale /= 10;
            }
        }
        if (i >= text.length() || text.charAt(i) != 'Z') {
            return -1;
        }
        long epochDay = epochDay(year, month, day);
        return epochDay * MICROS_PER_DAY + ((hour * 60L + minute) * 60 + second) * 1_000_000L + micros;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil" algorithm). */
    static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }

    private static int digits(CharSequence text, int from, int count) {
        return UtcInstantDeserializer.digits(text, from, count);
    }
}

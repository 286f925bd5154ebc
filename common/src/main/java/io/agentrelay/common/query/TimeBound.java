package io.agentrelay.common.query;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moment as operators write it when they read history: relative to now ({@code -90s}, {@code -15m}, {@code -1h},
 * {@code -2d}) or an ISO-8601 instant ({@code 2026-11-23T10:00:00Z}), as the console and kcat's {@code -o -1h}
 * take them.
 */
public final class TimeBound {

    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");

    private TimeBound() {
    }

    /**
     * @param text a relative time or an ISO-8601 instant
     * @param now  the moment relative times count back from
     * @return the moment, or empty when the text is neither
     */
    public static Optional<Instant> parse(String text, Instant now) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher relative = RELATIVE.matcher(text.trim());
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration unit = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return Optional.of(now.minus(unit.multipliedBy(amount)));
        }
        try {
            return Optional.of(Instant.parse(text.trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}

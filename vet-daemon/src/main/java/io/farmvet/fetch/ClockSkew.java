package io.farmvet.fetch;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How far a server's clock is from farmvet's, read from the HTTP {@code Date} header of one answer and the local
 * clock at the moment that answer's headers arrived. Positive: the server is ahead.
 *
 * <p>The header has a resolution of one second (RFC 9110 section 5.6.7) and is stamped when the server began to
 * answer, so a reading is good to about a second plus the time the headers took on the way: fine for the
 * tens-of-seconds skew that matters, never for sub-second claims. A missing or malformed header is no reading
 * (null), never an error: a proxy may strip it, and the listing is what the vet is for.
 */
public final class ClockSkew {
    /**
     * Bitbucket's primary and mirrors authenticate each other with JWTs that allow 30 s of clock skew; beyond
     * that a mirror's sync calls fail ({@code JwtExpiredException}) and it silently stops syncing. Warning at a
     * third of that leaves time to fix NTP before it bites.
     */
    public static final long WARN_ABOVE_MS = 10_000;

    private ClockSkew() {}

    /**
     * @param dateHeader the answer's {@code Date} value, or null when it had none
     * @param localMillis the local clock ({@link System#currentTimeMillis}) when the answer's headers arrived
     * @return server clock minus local clock in milliseconds, or null when the header is missing or not an
     *     HTTP date
     */
    public static Long measure(String dateHeader, long localMillis) {
        if (dateHeader == null || dateHeader.isBlank() || dateHeader.length() > 64) {
            return null;
        }
        try {
            long serverMillis = ZonedDateTime.parse(dateHeader.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
            return serverMillis - localMillis;
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    /** Whether a reading is worth a warning: more than {@link #WARN_ABOVE_MS} either way. */
    public static boolean notable(Long skewMs) {
        return skewMs != null && Math.abs(skewMs) > WARN_ABOVE_MS;
    }
}

package io.farmvet.daemon;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Vet ids: the UTC start time to the millisecond and 6 random hex digits, like {@code 20261122-101500.123-a1b2c3}.
 * They sort as they were made (within a process even two in one millisecond do), read as a time in a log, and do
 * not collide across restarts. Thread-safe.
 */
public final class RunId {
    /** What an id looks like; anything else in a URL is not an id, and never reaches the database. */
    static final Pattern FORMAT = Pattern.compile("[0-9]{8}-[0-9]{6}\\.[0-9]{3}-[0-9a-f]{6}");

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final AtomicLong lastMs = new AtomicLong();

    RunId(Clock clock) {
        this.clock = clock;
    }

    String next() {
        long now = clock.millis();
        long ms = lastMs.updateAndGet(last -> Math.max(now, last + 1));
        return TIME.format(Instant.ofEpochMilli(ms))
                + "-"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    public static boolean isValid(String text) {
        return text != null && FORMAT.matcher(text).matches();
    }
}

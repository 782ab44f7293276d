package io.farmvet.util;

import java.time.Duration;
import java.util.Locale;

/**
 * The one way farmvet prints sizes, durations and counts for people: in logs, reports and error messages. Never
 * {@code PT30S}, never {@code 1 inconsistencies}.
 */
public final class Units {
    private Units() {}

    /** {@code 812 B}, {@code 12.4 KB}, {@code 3.1 MB}, {@code 1.2 GB} (decimal units, as network tools show). */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /**
     * {@code 0s}, {@code 250ms}, {@code 1.5s}, {@code 30s}, {@code 1m30s}, {@code 2m}, {@code 1h30m}: the units the
     * config is written in. Exact to the millisecond under a minute (a timeout of {@code 1500ms} reads
     * {@code 1.5s}, a fetch that took 30012 ms {@code 30.012s}); from a minute on, to the second, since a vet's
     * {@code 12m34.321s} says no more than {@code 12m34s}.
     */
    public static String duration(Duration duration) {
        if (duration.isNegative()) {
            return "-" + duration(duration.negated());
        }
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return ms % 1000 == 0 ? ms / 1000 + "s" : decimalSeconds(ms);
        }
        long s = (ms + 500) / 1000;
        StringBuilder text = new StringBuilder();
        append(text, s / 3600, "h");
        append(text, s / 60 % 60, "m");
        append(text, s % 60, "s");
        return text.toString();
    }

    /** {@link #duration} of a count of milliseconds, as measured with {@code System.nanoTime()} or a clock. */
    public static String millis(long ms) {
        return duration(Duration.ofMillis(ms));
    }

    /** {@code 1 inconsistency}, {@code 2 inconsistencies}, {@code 0 inconsistencies}. */
    public static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String decimalSeconds(long ms) {
        String fraction = String.format(Locale.ROOT, "%03d", ms % 1000).replaceFirst("0+$", "");
        return ms / 1000 + "." + fraction + "s";
    }

    private static void append(StringBuilder text, long n, String unit) {
        if (n != 0) {
            text.append(n).append(unit);
        }
    }
}

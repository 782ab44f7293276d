package io.farmvet.util;

import java.time.Duration;
import java.util.Locale;

/** Formats sizes and durations the way operators read them in messages and reports. */
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

    /** {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h30m}: the form config durations are written in. */
    public static String duration(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60 || s % 60 != 0) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + "m";
        }
        return m % 60 == 0 ? m / 60 + "h" : m / 60 + "h" + m % 60 + "m";
    }
}

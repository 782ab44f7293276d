package io.farmvet.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Medians, units and the machine line shared by the benchmarks. */
final class Stats {
    private Stats() {}

    static double median(List<? extends Number> values) {
        double[] sorted =
                values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double max(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).max().orElse(Double.NaN);
    }

    /** Seconds with three significant digits: {@code 0.0123 s}, {@code 1.23 s}, {@code 123 s}. */
    static String seconds(double nanos) {
        double s = nanos / 1e9;
        if (s >= 100) {
            return String.format(Locale.ROOT, "%.0f s", s);
        }
        if (s >= 10) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        return String.format(Locale.ROOT, "%.3f s", s);
    }

    static String mb(double bytes) {
        return String.format(Locale.ROOT, bytes >= 100e6 ? "%.0f MB" : "%.1f MB", bytes / 1e6);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
    }

    static String count(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n >= 1_000 && n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return Long.toString(n);
    }

    /** Parses {@code 10k}, {@code 1M}, {@code 250000}. */
    static int parseCount(String text) {
        String t = text.strip();
        int factor = 1;
        if (t.endsWith("k") || t.endsWith("K")) {
            factor = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m") || t.endsWith("M")) {
            factor = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        return Math.multiplyExact(Integer.parseInt(t), factor);
    }

    /** Cores, CPU model, OS, JVM and GC: what a reader needs to weigh the numbers. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException e) {
            // Not Linux: the core count still says the most.
        }
        String gcs = String.join(
                "+",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(b -> b.getName())
                        .toList());
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %s %s, %s %s (%s)",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                gcs);
    }

    /** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

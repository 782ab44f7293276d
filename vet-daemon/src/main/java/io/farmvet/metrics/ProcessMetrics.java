package io.farmvet.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process series under the names Prometheus' own client libraries give them, which dashboards and alerts
 * expect: {@code process_cpu_seconds_total}, {@code process_resident_memory_bytes}, {@code process_open_fds},
 * {@code process_max_fds}. Micrometer's own binders use other names ({@code process_cpu_time_ns_total},
 * {@code process_files_open_files}), and its processor binder fails promtool's lint.
 *
 * <p>CPU time and descriptors come from the JVM's operating-system bean (HotSpot on Linux reads them from the
 * kernel); the resident set from {@code /proc/self/status} ({@code VmRSS}), as Prometheus' Go and Java clients
 * read it. A value the platform does not give is {@code NaN}. Each read happens at scrape time and costs a
 * small file read at most. Thread-safe.
 */
final class ProcessMetrics implements MeterBinder {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    @Override
    public void bindTo(MeterRegistry registry) {
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            FunctionCounter.builder("process.cpu", hotspot, b -> nanosToSeconds(b.getProcessCpuTime()))
                    .description("Total user and system CPU time spent by the process, in seconds")
                    .baseUnit("seconds")
                    .register(registry);
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            Gauge.builder("process.open.fds", unix, u -> (double) u.getOpenFileDescriptorCount())
                    .description("Open file descriptors of the process")
                    .register(registry);
            Gauge.builder("process.max.fds", unix, u -> (double) u.getMaxFileDescriptorCount())
                    .description("Most file descriptors the process may open (its RLIMIT_NOFILE)")
                    .register(registry);
        }
        Gauge.builder("process.resident.memory", PROC_STATUS, ProcessMetrics::residentBytes)
                .description("Resident memory of the process (VmRSS of /proc/self/status), in bytes")
                .baseUnit("bytes")
                .register(registry);
    }

    private static double nanosToSeconds(long nanos) {
        return nanos < 0 ? Double.NaN : nanos / 1e9;
    }

    /** {@code VmRSS:    123456 kB} in bytes; NaN where there is no {@code /proc} (not Linux). */
    static double residentBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).strip().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or a format we do not know: unknown, not zero.
        }
        return Double.NaN;
    }
}

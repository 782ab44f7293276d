package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11: the state file's size is exported, so its growth is visible before the disk fills. */
class StateBytesMetricTest {
    @TempDir
    Path dir;

    @Test
    void theStateFilesSizeIsAGaugeReadAtEachScrape_issue11() throws Exception {
        Path file = dir.resolve("farmvet.mv.db");
        try (FarmMetrics metrics =
                new FarmMetrics("emea", List.of("mirror-1"), Clock.systemUTC(), MBeanServerFactory.newMBeanServer())) {
            metrics.stateFile(file);
            assertThat(metrics.scrape()).contains("farmvet_state_bytes{farm=\"emea\"} 0.0");

            Files.write(file, new byte[12345]);

            assertThat(metrics.scrape())
                    .contains("# HELP farmvet_state_bytes Size of the state database file")
                    .contains("# TYPE farmvet_state_bytes gauge")
                    .contains("farmvet_state_bytes{farm=\"emea\"} 12345.0");
        }
    }
}

package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.PromText;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReport.NodeResult;
import io.farmvet.vet.VetReport.NodeStatus;
import io.farmvet.vet.VetReport.PrimaryResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;

/** Issue 12, clocks: {@code farmvet_clock_skew_seconds} per server, NaN where no Date header was read. */
class ClockSkewMetricTest {
    private static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");

    @Test
    void eachServersSkewIsExportedInSecondsAndAnUnknownOneIsNaN() {
        try (FarmMetrics metrics = new FarmMetrics(
                "emea",
                List.of("mirror-1", "mirror-2"),
                Clock.fixed(NOW, ZoneOffset.UTC),
                MBeanServerFactory.newMBeanServer())) {
            PromText before = PromText.parse(metrics.scrape());
            assertThat(before.value("farmvet_clock_skew_seconds", "node", "mirror-1"))
                    .isNaN();
            assertThat(before.help).containsKey("farmvet_clock_skew_seconds");

            NodeResult ahead = node("mirror-1").withFindings(List.of(), null, 45_250L, null);
            NodeResult undated = node("mirror-2");
            PrimaryResult primary = new PrimaryResult("https://bitbucket.example.com", 1L, 10, 5, null, -2_000L);
            metrics.vetFinished(
                    new VetReport("emea", VetReport.Status.CONSISTENT, NOW, 5, primary, List.of(ahead, undated)));

            PromText text = PromText.parse(metrics.scrape());
            assertThat(text.value("farmvet_clock_skew_seconds", "node", "mirror-1"))
                    .isEqualTo(45.25);
            assertThat(text.value("farmvet_clock_skew_seconds", "node", "primary"))
                    .isEqualTo(-2.0);
            assertThat(text.value("farmvet_clock_skew_seconds", "node", "mirror-2"))
                    .isNaN();
        }
    }

    private static NodeResult node(String name) {
        return new NodeResult(name, "https://" + name + ".example.com", NodeStatus.VETTED, null, 1L, 10, 5, List.of());
    }
}

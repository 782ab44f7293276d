package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.explain.NodeSync;
import io.farmvet.explain.SyncDiagnostics;
import io.farmvet.testing.PromText;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReport.NodeResult;
import io.farmvet.vet.VetReport.NodeStatus;
import io.farmvet.vet.VetReport.PrimaryResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;

/** Issue 12 section 3: {@code farmvet_ref_changes_queue} per node, NaN where the node's count was not read. */
class RefChangesQueueMetricTest {
    private static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");

    @Test
    void issue12EachNodesQueueIsExportedAndAnUnreadOneIsNaN() {
        try (FarmMetrics metrics = new FarmMetrics(
                "emea",
                List.of("mirror-1", "mirror-2"),
                Clock.fixed(NOW, ZoneOffset.UTC),
                MBeanServerFactory.newMBeanServer())) {
            PromText before = PromText.parse(metrics.scrape());
            assertThat(before.value("farmvet_ref_changes_queue", "node", "mirror-1"))
                    .isNaN();
            assertThat(before.help).containsKey("farmvet_ref_changes_queue");

            SyncDiagnostics sync = new SyncDiagnostics(Map.of(
                    "mirror-1", new NodeSync(17L, Map.of(), List.of()),
                    "mirror-2", new NodeSync(null, Map.of(), List.of("mirror-2: 401"))));
            PrimaryResult primary = new PrimaryResult("https://bitbucket.example.com", 1L, 10, 5, null);
            metrics.vetFinished(new VetReport(
                            "emea",
                            VetReport.Status.CONSISTENT,
                            NOW,
                            5,
                            primary,
                            List.of(node("mirror-1"), node("mirror-2")))
                    .withSync(sync));

            PromText text = PromText.parse(metrics.scrape());
            assertThat(text.value("farmvet_ref_changes_queue", "node", "mirror-1"))
                    .isEqualTo(17.0);
            assertThat(text.value("farmvet_ref_changes_queue", "node", "mirror-2"))
                    .isNaN();
        }
    }

    private static NodeResult node(String name) {
        return new NodeResult(name, "https://" + name + ".example.com", NodeStatus.VETTED, null, 1L, 10, 5, List.of());
    }
}

package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.metrics.FarmMetrics;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.PromText;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon with its real metrics (issue 5): a triggered vet shows in {@code /metrics} as the farm-vet
 * timer's histogram, with the node's drift and {@code /status} state, and over JMX under Bitbucket's name.
 */
class DaemonMetricsTest {
    @TempDir
    Path dir;

    @Test
    void aTriggeredVetIsInTheScrapeAndInTheBitbucketJmxTimer() throws Exception {
        Listings farm = Listings.generated(50, 2);
        Listings drifted = farm.with(3, r -> null);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        try (FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
                FakeServer node = FakeServer.start(FakeServer.node("SYNCHRONIZED", FakeServer.json(drifted.json())));
                FarmMetrics metrics = new FarmMetrics("test", List.of("mirror-1"));
                DaemonHarness d = new DaemonHarness(dir)
                        .config(primary.url(), NEVER, "", "mirror-1=" + node.url())
                        .start(metrics)) {
            long jmxCountBefore = (Long) jmx.getAttribute(metrics.vetTimerObjectName(), "Count");

            d.awaitReport(d.trigger(null));
            PromText scrape = PromText.parse(d.get("/metrics", null).body());

            String timer = "farmvet_vet_duration_seconds";
            assertThat(scrape.value(timer + "_count", "farm", "test", "outcome", "inconsistent"))
                    .isEqualTo(1);
            List<PromText.Sample> buckets = scrape.find(timer + "_bucket", "farm", "test", "outcome", "inconsistent");
            // The percentiles come from the buckets in PromQL: cumulative, ending at +Inf with the count.
            assertThat(buckets).hasSizeGreaterThan(5);
            List<Double> counts = buckets.stream()
                    .sorted(Comparator.comparingDouble(b -> bound(b.labels().get("le"))))
                    .map(PromText.Sample::value)
                    .toList();
            assertThat(counts).isSorted().last().isEqualTo(1.0);
            assertThat(scrape.value("farmvet_node_inconsistencies", "node", "mirror-1", "kind", "missing"))
                    .isEqualTo(1);
            assertThat(scrape.value("farmvet_node_state", "node", "mirror-1", "state", "SYNCHRONIZED"))
                    .isEqualTo(1);
            assertThat(scrape.value("farmvet_vet_running", "farm", "test")).isZero();
            assertThat((Long) jmx.getAttribute(metrics.vetTimerObjectName(), "Count"))
                    .isEqualTo(jmxCountBefore + 1);
            assertThat((Double) jmx.getAttribute(metrics.vetTimerObjectName(), "99thPercentile"))
                    .isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void issue11_restRequestsAreCountedByRouteTemplateAndStatus() throws Exception {
        Listings farm = Listings.generated(20, 2);
        try (FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
                FakeServer node = FakeServer.start(FakeServer.node("SYNCHRONIZED", FakeServer.json(farm.json())));
                FarmMetrics metrics = new FarmMetrics("test", List.of("mirror-1"));
                DaemonHarness d = new DaemonHarness(dir)
                        .config(primary.url(), NEVER, "", "mirror-1=" + node.url())
                        .start(metrics)) {
            String id = d.trigger(null);
            d.awaitReport(id);
            d.get("/api/v1/vets/" + id, DaemonHarness.TOKEN);
            d.get("/api/v1/vets/" + id, null);
            d.get("/no/such/" + id, DaemonHarness.TOKEN);
            d.post("/api/v1/vets", DaemonHarness.TOKEN, "{\"dryrun\": true}");

            PromText scrape = PromText.parse(d.get("/metrics", null).body());

            String name = "farmvet_http_requests_total";
            assertThat(scrape.value(name, "route", "/api/v1/vets", "method", "POST", "status", "202"))
                    .isEqualTo(1);
            assertThat(scrape.value(name, "route", "/api/v1/vets/{id}", "method", "GET", "status", "200"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(scrape.value(name, "route", "/api/v1/vets/{id}", "method", "GET", "status", "401"))
                    .isEqualTo(1);
            assertThat(scrape.value(name, "route", "other", "method", "GET", "status", "404"))
                    .isEqualTo(1);
            assertThat(scrape.value(name, "route", "/api/v1/vets", "method", "POST", "status", "400"))
                    .isEqualTo(1);
            assertThat(scrape.find(name))
                    .allSatisfy(s -> assertThat(s.labels().get("route")).doesNotContain(id));
            assertThat(scrape.value("farmvet_history_write_failures_total", "farm", "test"))
                    .isZero();
        }
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }
}

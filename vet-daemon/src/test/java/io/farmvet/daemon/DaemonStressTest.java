package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.metrics.FarmMetrics;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 6: the daemon under load, with the real metrics. Counts and outcomes are asserted, never timings. */
class DaemonStressTest {
    private static final int REPOSITORIES = 200_000;
    private static final int MAX_SCRAPES = 2_000;

    @TempDir
    Path dir;

    @Test
    void metricsScrapedInATightLoopDuringALargeVetAllSucceedAndTheVetIsUnaffected() throws Exception {
        Listings farm = Listings.generated(REPOSITORIES, 50);
        String primaryJson = farm.json();
        String driftedJson = farm.with(
                        123_457, r -> new Listings.Repo(r.project(), r.id(), Listings.hash("stale", 1), r.metadata()))
                .shuffledJson(3);
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            FakeServer primary = FakeServer.start(FakeServer.json(primaryJson));
            closeables.add(primary);
            List<String> nodes = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                // Chunked in 64 KiB pieces, as a streaming server sends a large listing.
                FakeServer node = FakeServer.start(FakeServer.chunked(i == 2 ? driftedJson : primaryJson, 64 << 10));
                closeables.add(node);
                nodes.add("mirror-" + i + "=" + node.url());
            }
            FarmMetrics metrics = new FarmMetrics("test", List.of("mirror-1", "mirror-2", "mirror-3"));
            closeables.add(metrics);
            DaemonHarness d = new DaemonHarness(dir).config(primary.url(), NEVER, "", nodes.toArray(String[]::new));
            closeables.add(d);
            d.start(metrics);

            String id = d.trigger(null);
            int scrapes = 0;
            long maxScrapeNanos = 0;
            boolean sawRunning = false;
            while (scrapes < MAX_SCRAPES && d.daemon.running().isPresent()) {
                long start = System.nanoTime();
                HttpResponse<String> scraped = d.get("/metrics", null);
                maxScrapeNanos = Math.max(maxScrapeNanos, System.nanoTime() - start);
                scrapes++;
                assertThat(scraped.statusCode()).as("scrape %d", scrapes).isEqualTo(200);
                assertThat(scraped.body()).contains("farmvet_vet_running{farm=\"test\"}");
                sawRunning |= scraped.body().contains("farmvet_vet_running{farm=\"test\"} 1.0");
            }
            JsonNode report = d.awaitReport(id);
            // For the test log only: no assertion on time.
            System.out.printf(
                    "%d scrapes during a vet of %d repositories on 3 nodes; slowest %.1f ms%n",
                    scrapes, REPOSITORIES, maxScrapeNanos / 1e6);

            assertThat(scrapes).isPositive();
            assertThat(sawRunning).as("a scrape saw the vet running").isTrue();
            assertThat(report.get("status").asText()).isEqualTo("inconsistent");
            assertThat(report.get("primary").get("repositories").asLong()).isEqualTo(REPOSITORIES);
            for (int i = 0; i < 3; i++) {
                JsonNode node = report.get("nodes").get(i);
                assertThat(node.get("status").asText()).isEqualTo("vetted");
                assertThat(node.get("repositories").asLong()).isEqualTo(REPOSITORIES);
                assertThat(node.get("inconsistencies")).hasSize(i == 1 ? 1 : 0);
            }
            JsonNode drift = report.get("nodes").get(1).get("inconsistencies").get(0);
            assertThat(drift.get("repoId").asLong()).isEqualTo(123_457);
            assertThat(drift.get("kinds").toString()).isEqualTo("[\"content\"]");
            String after = d.get("/metrics", null).body();
            assertThat(after)
                    .contains("farmvet_vet_running{farm=\"test\"} 0.0")
                    .contains("farmvet_node_inconsistent_repositories{farm=\"test\",node=\"mirror-2\"} 1.0");
        } finally {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
        }
    }
}

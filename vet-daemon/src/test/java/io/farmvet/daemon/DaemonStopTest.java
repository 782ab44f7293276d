package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.repair.audit.AuditLog;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: SIGTERM to the real daemon ({@code farmvet run} in a child JVM) while it vets. farmvet owns the
 * shutdown order: the vet is cancelled and recorded {@code incomplete}, then the store closes, and the process
 * exits 0, as systemd expects of a clean stop. A restart on the same {@code state.dir} shows the vet.
 */
class DaemonStopTest {
    private static final String RESYNC = AgentResync.PATH;
    /** Daemon.STOP_TIMEOUT and the JVM's own start and exit. */
    private static final Duration EXIT_WITHIN = Daemon.STOP_TIMEOUT.plusSeconds(30);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void sigtermWhileTheVetWaitsForAListingRecordsItIncompleteAndExitsZero_issue11() throws Exception {
        Listings farm = Listings.generated(50, 2);
        try (FakeServer primary = FakeServer.start(FakeServer.stallAfter(farm.json(), 10, Duration.ofSeconds(120)));
                FakeServer node = FakeServer.start(FakeServer.node("SYNCHRONIZED", FakeServer.json(farm.json())))) {
            DaemonHarness config = new DaemonHarness(dir).config(primary.url(), NEVER, "", "mirror-1=" + node.url());
            String stopped;
            try (ChildDaemon child = ChildDaemon.start(config.configFile)) {
                stopped = trigger(child.url());
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !primary.requests().isEmpty());

                child.sigterm();

                assertThat(child.awaitExit(EXIT_WITHIN)).as(child.log()).isZero();
                assertThat(child.log())
                        .contains("farmvet stopped")
                        .doesNotContain("Database is already closed")
                        .doesNotContain("could not be written to the run history");
            }

            try (DaemonHarness restarted = new DaemonHarness(dir)) {
                restarted.start();
                JsonNode vets = json(restarted.get("/api/v1/vets", TOKEN)).get("vets");
                assertThat(vets).hasSize(1);
                assertThat(vets.get(0).get("id").asText()).isEqualTo(stopped);
                assertThat(vets.get(0).get("status").asText()).isEqualTo("incomplete");
                assertThat(restarted.awaitReport(stopped).get("status").asText())
                        .isEqualTo("incomplete");
            }
        }
    }

    @Test
    void sigtermWithRepairsInFlightKeepsThemPendingAndAuditedAndExitsZero_issue11() throws Exception {
        Listings farm = Listings.generated(100, 3);
        Listings drifted = farm.with(5, r -> new Listings.Repo(r.project(), 5, Listings.hash("stale", 5), r.metadata()))
                .with(7, r -> null);
        AtomicBoolean answering = new AtomicBoolean(false);
        FakeServer.Responder resync = (request, out) -> {
            if (!answering.get()) {
                Thread.sleep(Duration.ofSeconds(120).toMillis());
            }
            FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}").respond(request, out);
        };
        try (FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
                FakeServer node = FakeServer.start(FakeServer.node(
                        "SYNCHRONIZED", FakeServer.route(RESYNC, resync, FakeServer.json(drifted.json()))))) {
            DaemonHarness config = new DaemonHarness(dir)
                    .config(
                            primary.url(),
                            NEVER,
                            "repair:\n  mode: agent\n  settle: 0s\n  timeout: 60s\n",
                            "mirror-1=" + node.url());
            String stopped;
            try (ChildDaemon child = ChildDaemon.start(config.configFile)) {
                stopped = trigger(child.url());
                await().atMost(Duration.ofSeconds(30)).until(() -> resyncs(node) == 2);

                child.sigterm();

                assertThat(child.awaitExit(EXIT_WITHIN)).as(child.log()).isZero();
            }
            // Both requests left, neither was answered: each has its sent line, written before it left.
            List<String> audit = Files.readAllLines(AuditLog.defaultPath(dir.resolve("state")));
            assertThat(audit.stream().filter(l -> l.contains("\"outcome\":\"sent\"")))
                    .hasSize(2);
            assertThat(audit)
                    .noneMatch(l -> l.contains("\"outcome\":\"accepted\"") || l.contains("\"outcome\":\"failed\""));

            answering.set(true);
            try (DaemonHarness restarted = new DaemonHarness(dir)) {
                restarted.start();
                assertThat(json(restarted.get("/api/v1/vets", TOKEN)).get("vets"))
                        .extracting(v ->
                                v.get("id").asText() + " " + v.get("status").asText())
                        .containsExactly(stopped + " inconsistent");
                JsonNode next = restarted.awaitReport(restarted.trigger(null));
                assertThat(next.get("nodes").get(0).get("repairs")).hasSize(2).allSatisfy(r -> {
                    assertThat(r.get("outcome").asText()).isEqualTo("skipped");
                    assertThat(r.get("detail").asText()).startsWith("pending since ");
                });
                assertThat(resyncs(node)).as("no repair sent twice").isEqualTo(2);
            }
        }
    }

    private static long resyncs(FakeServer node) {
        return node.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC))
                .count();
    }

    private String trigger(URI url) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(url.resolve("/api/v1/vets"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).get("id").asText();
    }
}

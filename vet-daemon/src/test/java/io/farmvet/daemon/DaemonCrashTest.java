package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.await;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: {@code kill -9} of the real daemon ({@code farmvet run}, in a child JVM) while its repairs are in
 * flight, then a restart on the same {@code state.dir}: the history of finished vets is intact, no repair is sent
 * twice, and the repairs that were in flight are verified by the next vets.
 */
class DaemonCrashTest {
    private static final String RESYNC = AgentResync.PATH;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void killedWithRepairsInFlightThenRestartedNothingIsSentTwiceAndHistoryIsIntact() throws Exception {
        Listings farm = Listings.generated(300, 4);
        Listings drifted = farm.with(5, r -> new Listings.Repo(r.project(), 5, Listings.hash("stale", 5), r.metadata()))
                .with(7, r -> null);
        // Before the crash the node holds every resync without answering; after it, it accepts at once.
        AtomicBoolean answering = new AtomicBoolean(false);
        CountDownLatch held = new CountDownLatch(1);
        AtomicReference<String> listing = new AtomicReference<>(drifted.shuffledJson(1));
        FakeServer.Responder resync = (request, out) -> {
            if (!answering.get()) {
                held.await(120, TimeUnit.SECONDS); // released when the test ends
            }
            FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}").respond(request, out);
        };
        List<AutoCloseable> closeables = new ArrayList<>();
        ChildDaemon child = null;
        try {
            FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
            closeables.add(primary);
            FakeServer node = FakeServer.start(FakeServer.node(
                    "SYNCHRONIZED", FakeServer.route(RESYNC, resync, (request, out) -> FakeServer.json(listing.get())
                            .respond(request, out))));
            closeables.add(node);
            DaemonHarness config = new DaemonHarness(dir)
                    .config(
                            primary.url(),
                            NEVER,
                            "repair:\n  mode: agent\n  settle: 0s\n  timeout: 60s\n",
                            "mirror-1=" + node.url());

            // 1. The real daemon in a child JVM: one dry run that finishes, then a vet whose repairs hang.
            child = ChildDaemon.start(config.configFile);
            URI url = child.url();
            String dryRun = trigger(url, "{\"dryRun\": true}");
            JsonNode finished = awaitReport(url, dryRun);
            assertThat(finished.get("status").asText()).isEqualTo("inconsistent");
            String crashed = trigger(url, null);
            await("both repairs in flight at the node", () -> resyncs(node) == 2);

            child.kill(); // SIGKILL: no shutdown hook, no close of the store
            child.awaitExit(Duration.ofSeconds(30));

            // 2. Restart on the same state.dir, in this JVM, with the node now accepting resyncs.
            answering.set(true);
            DaemonHarness restarted = new DaemonHarness(dir);
            closeables.add(restarted);
            restarted.start();
            assertThat(restarted.get("/-/ready", null).statusCode()).isEqualTo(200);
            JsonNode history = json(restarted.get("/api/v1/vets", TOKEN));
            assertThat(history.get("vets"))
                    .extracting(v -> v.get("id").asText())
                    .contains(dryRun);
            assertThat(restarted.awaitReport(dryRun).get("status").asText()).isEqualTo("inconsistent");
            // The vet that was killed never finished, so it has no report; its repairs are in the ledger.
            assertThat(restarted.get("/api/v1/vets/" + crashed, TOKEN).statusCode())
                    .isEqualTo(404);

            JsonNode again = restarted.awaitReport(restarted.trigger(null));
            assertThat(again.get("nodes").get(0).get("repairs")).hasSize(2).allSatisfy(r -> {
                assertThat(r.get("outcome").asText()).isEqualTo("skipped");
                assertThat(r.get("detail").asText()).startsWith("pending since ");
            });
            assertThat(resyncs(node)).as("no repair sent twice").isEqualTo(2);

            // 3. The node catches up: the repairs that were in flight at the crash are verified.
            listing.set(farm.shuffledJson(2));
            JsonNode verified = restarted.awaitReport(restarted.trigger(null));
            assertThat(verified.get("status").asText()).isEqualTo("consistent");
            assertThat(verified.get("nodes").get(0).get("repairs"))
                    .extracting(r ->
                            r.get("repoId").asLong() + " " + r.get("outcome").asText())
                    .containsExactlyInAnyOrder("5 repaired", "7 repaired");
            assertThat(resyncs(node)).isEqualTo(2);
            assertThat(json(restarted.get("/api/v1/vets", TOKEN)).get("vets")).hasSize(3);
        } finally {
            held.countDown();
            if (child != null) {
                child.close();
            }
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
        }
    }

    private static long resyncs(FakeServer node) {
        return node.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC))
                .count();
    }

    private String trigger(URI url, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(url.resolve("/api/v1/vets"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).get("id").asText();
    }

    private JsonNode awaitReport(URI url, String id) throws Exception {
        AtomicReference<JsonNode> report = new AtomicReference<>();
        await("vet " + id + " in the child", () -> {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(url.resolve("/api/v1/vets/" + id))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                report.set(json(response));
                return !report.get().path("status").asText().equals("running");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return report.get();
    }
}

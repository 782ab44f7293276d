package io.farmvet.daemon;

import static io.farmvet.daemon.ClusterApi.awaitFinished;
import static io.farmvet.daemon.ClusterApi.startVet;
import static io.farmvet.daemon.ClusterApi.vetId;
import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.await;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * Issue 14: {@code kill -9} of the instance that is vetting, with its repairs in flight; the other instance of the
 * cluster takes the vet lock at once (it went with the dead one's connection), reads the history, sends none of
 * those repairs again and verifies them when the node has caught up.
 */
class ClusterFailoverTest {
    private static final String RESYNC = AgentResync.PATH;

    @TempDir
    Path dir;

    @Test
    void theVettingInstanceKilledWithRepairsInFlightTheOtherGoesOnAndSendsNoneTwice() throws Exception {
        Listings farm = Listings.generated(300, 4);
        Listings drifted = farm.with(5, r -> new Listings.Repo(r.project(), 5, Listings.hash("stale", 5), r.metadata()))
                .with(7, r -> null);
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
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
            closeables.add(primary);
            FakeServer node = FakeServer.start(FakeServer.node(
                    "SYNCHRONIZED", FakeServer.route(RESYNC, resync, (request, out) -> FakeServer.json(listing.get())
                            .respond(request, out))));
            closeables.add(node);
            String url = postgres.getJdbcUrl("postgres", "postgres");
            url = url.substring(0, url.indexOf('?'));
            List<ChildDaemon> children = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                Path home = Files.createDirectories(dir.resolve(name));
                Files.writeString(home.resolve("db.password"), "unused-with-trust-auth\n");
                DaemonHarness config = new DaemonHarness(home)
                        .config(
                                primary.url(),
                                NEVER,
                                "repair:\n  mode: agent\n  settle: 0s\n  timeout: 60s\n"
                                        + "state:\n  dir: state\n  database:\n    url: " + url
                                        + "\n    username: postgres\n    password-file: db.password\n",
                                "mirror-1=" + node.url());
                ChildDaemon child = ChildDaemon.start(config.configFile);
                closeables.add(child);
                children.add(child);
            }
            URI a = children.get(0).url();
            URI b = children.get(1).url();

            // 1. A dry run on a finishes; then a's vet hangs with both repairs sent.
            String dryRun = vetId(startVet(a, "{\"dryRun\": true}"), 202);
            assertThat(awaitFinished(a, dryRun).get("status").asText()).isEqualTo("inconsistent");
            String crashed = vetId(startVet(a, ""), 202);
            await("both repairs in flight at the node", () -> resyncs(node) == 2);
            HttpResponse<String> refused = startVet(b, "");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(json(refused).get("id").asText()).isEqualTo(crashed);

            children.get(0).kill();
            children.get(0).awaitExit(Duration.ofSeconds(30));

            // 2. b vets now: the dead instance's lock went with its connection; its repairs are pending, not resent.
            answering.set(true);
            AtomicReference<String> next = new AtomicReference<>();
            await("b to take the vet lock", () -> {
                try {
                    HttpResponse<String> answer = startVet(b, "");
                    if (answer.statusCode() == 202) {
                        next.set(json(answer).get("id").asText());
                    }
                    return next.get() != null;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode again = awaitFinished(b, next.get());
            assertThat(again.get("nodes").get(0).get("repairs"))
                    .hasSize(2)
                    .allSatisfy(r -> assertThat(r.get("outcome").asText()).isEqualTo("skipped"));
            assertThat(resyncs(node)).as("no repair sent twice").isEqualTo(2);
            assertThat(awaitFinished(b, dryRun).get("status").asText()).isEqualTo("inconsistent");

            // 3. The node caught up: b verifies the repairs a sent before it died.
            listing.set(farm.shuffledJson(2));
            JsonNode verified = awaitFinished(b, vetId(startVet(b, ""), 202));
            assertThat(verified.get("status").asText()).isEqualTo("consistent");
            assertThat(verified.get("nodes").get(0).get("repairs"))
                    .extracting(r ->
                            r.get("repoId").asLong() + " " + r.get("outcome").asText())
                    .containsExactlyInAnyOrder("5 repaired", "7 repaired");
            assertThat(resyncs(node)).isEqualTo(2);
        } finally {
            held.countDown();
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
}

package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.await;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.config.ConfigException;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon end to end: schedule, trigger, single flight, history, reload and stop, against loopback servers. */
class DaemonTest {
    @TempDir
    Path dir;

    private final Listings listings = Listings.generated(50, 5);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeServer primary;
    private FakeServer mirror;

    @BeforeEach
    void servers() throws Exception {
        primary = serve(FakeServer.json(listings.json()));
        mirror = serve(FakeServer.json(listings.shuffledJson(7)));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        closeables.add(server);
        return server;
    }

    private DaemonHarness harness(String schedule, String extra, String... nodes) throws Exception {
        DaemonHarness harness = new DaemonHarness(dir).config(primary.url(), schedule, extra, nodes);
        closeables.add(harness);
        return harness;
    }

    private List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("vets").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    @Test
    void aScheduledVetRunsAndIsRecorded() throws Exception {
        DaemonHarness d = harness("* * * * * ?", "", "mirror-1=" + mirror.url()).start();

        await("a scheduled vet in the history", () -> {
            try {
                return json(d.get("/api/v1/vets", TOKEN)).get("vets").size() > 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        JsonNode first = json(d.get("/api/v1/vets", TOKEN)).get("vets").get(0);
        assertThat(first.get("status").asText()).isEqualTo("consistent");
        assertThat(first.get("inconsistencies").asLong()).isZero();
        JsonNode report = d.awaitReport(first.get("id").asText());
        assertThat(report.get("farm").asText()).isEqualTo("test");
        assertThat(report.get("nodes").get(0).get("repositories").asLong()).isEqualTo(50);
        assertThat(d.observer.started.get()).isPositive();
    }

    @Test
    void issue12TheDaemonKeepsRepositoryNamesBetweenVetsAndAsksAgainOnlyForAnUnknownId() throws Exception {
        FakeBitbucket bitbucket = new FakeBitbucket(listings);
        primary = serve(bitbucket.responder());
        FakeServer drifted = serve(FakeServer.json(
                listings.with(3, r -> new Listings.Repo(r.project(), r.id(), Listings.hash("x", 3), r.metadata()))
                        .json()));
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + drifted.url()).start();

        JsonNode first = d.awaitReport(d.trigger(null));
        long pages = FakeBitbucket.reposRequests(primary);
        JsonNode second = d.awaitReport(d.trigger(null));

        assertThat(pages).isEqualTo(2);
        assertThat(FakeBitbucket.reposRequests(primary)).isEqualTo(pages);
        for (JsonNode report : List.of(first, second)) {
            JsonNode found = report.get("nodes").get(0).get("inconsistencies").get(0);
            assertThat(found.get("projectKey").asText()).isEqualTo("P4");
            assertThat(found.get("slug").asText()).isEqualTo("repo-3");
        }
        bitbucket.serve(Listings.generated(51, 5));
        d.awaitReport(d.trigger(null));
        assertThat(FakeBitbucket.reposRequests(primary)).isEqualTo(pages + 3);
    }

    @Test
    void aTriggeredVetAnswers202AndItsReportIsTheCliJson() throws Exception {
        FakeServer drifted = serve(FakeServer.json(
                listings.with(3, r -> new Listings.Repo(r.project(), r.id(), Listings.hash("x", 3), r.metadata()))
                        .json()));
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url(), "mirror-2=" + drifted.url())
                .start();

        HttpResponse<String> accepted = d.post("/api/v1/vets", TOKEN, null);

        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode body = json(accepted);
        String id = body.get("id").asText();
        assertThat(body.get("status").asText()).isEqualTo("running");
        assertThat(accepted.headers().firstValue("Location")).contains("/api/v1/vets/" + id);
        JsonNode report = d.awaitReport(id);
        assertThat(report.get("status").asText()).isEqualTo("inconsistent");
        assertThat(report.get("nodes")
                        .get(1)
                        .get("inconsistencies")
                        .get(0)
                        .get("repoId")
                        .asLong())
                .isEqualTo(3);
        assertThat(d.observer.finished).hasSize(1);
        JsonNode listed = json(d.get("/api/v1/vets", TOKEN)).get("vets").get(0);
        assertThat(listed.get("id").asText()).isEqualTo(id);
        assertThat(listed.get("status").asText()).isEqualTo("inconsistent");
        assertThat(listed.get("inconsistencies").asLong()).isEqualTo(1);
        assertThat(listed.get("durationMs").asLong()).isNotNegative();
    }

    @Test
    void aTriggerNamingNodesVetsOnlyThose() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url(), "mirror-2=" + FakeServer.closedPort())
                .start();

        JsonNode report = d.awaitReport(d.trigger("{\"dryRun\": true, \"nodes\": [\"MIRROR-1\"]}"));

        assertThat(report.get("status").asText()).isEqualTo("consistent");
        assertThat(report.get("nodes")).hasSize(1);
        assertThat(report.get("nodes").get(0).get("name").asText()).isEqualTo("mirror-1");
    }

    @Test
    void aSecondTriggerWhileOneRunsGets409WithTheRunningId() throws Exception {
        FakeServer slow = serve(FakeServer.drip(listings.json(), Duration.ofMillis(100)));
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + slow.url()).start();
        String id = d.trigger(null);

        HttpResponse<String> second = d.post("/api/v1/vets", TOKEN, null);

        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).get("id").asText()).isEqualTo(id);
        assertThat(json(second).get("status").asText()).isEqualTo("running");
        JsonNode running = json(d.get("/api/v1/vets/" + id, TOKEN));
        assertThat(running.get("status").asText()).isEqualTo("running");
        assertThat(running.get("startedAt").asText()).isNotEmpty();
        assertThat(d.observer.started.get()).isEqualTo(1);
    }

    @Test
    void stoppingCancelsTheRunningVetAndRecordsItIncomplete() throws Exception {
        FakeServer slow = serve(FakeServer.drip(listings.json(), Duration.ofMillis(100)));
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + slow.url()).start();
        String id = d.trigger(null);
        await(
                "the vet to be running",
                () -> d.daemon.running().isPresent()
                        && slow.requests().stream()
                                .anyMatch(r -> r.path().equals("/rest/mirroring/latest/repo-hashes")));

        d.stop();

        assertThat(d.daemon.awaitStopped(Duration.ZERO)).isTrue();
        assertThat(d.daemon.running()).isEmpty();
        assertThat(d.observer.finished).hasSize(1);
        assertThat(d.observer.finished.get(0).status().wireName()).isEqualTo("incomplete");
        // The next daemon on the same state dir finds it.
        DaemonHarness next = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        JsonNode report = next.awaitReport(id);
        assertThat(report.get("status").asText()).isEqualTo("incomplete");
        assertThat(report.toString()).contains("cancelled");
    }

    @Test
    void historySurvivesARestartAndPagesNewestFirst() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = d.trigger(null);
            d.awaitReport(id);
            ran.add(0, id);
        }
        d.stop();

        DaemonHarness again = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        JsonNode page1 = json(again.get("/api/v1/vets?limit=2", TOKEN));
        JsonNode page2 = json(
                again.get("/api/v1/vets?limit=2&before=" + page1.get("next").asText(), TOKEN));

        assertThat(ids(page1)).containsExactly(ran.get(0), ran.get(1));
        assertThat(ids(page2)).containsExactly(ran.get(2));
        assertThat(page2.get("next").isNull()).isTrue();
        assertThat(again.awaitReport(ran.get(2)).get("status").asText()).isEqualTo("consistent");
    }

    @Test
    void pruningKeepsFailuresLongerThanSuccesses() throws Exception {
        DaemonHarness d = harness(
                        NEVER,
                        "history:\n  keep-successes: 1\n  keep-failures: 2\n",
                        "mirror-1=" + mirror.url(),
                        "down=" + FakeServer.closedPort())
                .start();
        String good = "{\"nodes\": [\"mirror-1\"]}";
        String bad = "{\"nodes\": [\"down\"]}";
        List<String> ran = new ArrayList<>();
        for (String body : List.of(good, bad, bad, good, bad)) {
            String id = d.trigger(body);
            d.awaitReport(id);
            ran.add(id);
        }

        JsonNode page = json(d.get("/api/v1/vets", TOKEN));

        // Newest first: the last failure, the last success, the failure before it; older ones pruned.
        assertThat(ids(page)).containsExactly(ran.get(4), ran.get(3), ran.get(2));
        assertThat(page.get("vets").get(0).get("status").asText()).isEqualTo("incomplete");
        assertThat(page.get("vets").get(1).get("status").asText()).isEqualTo("consistent");
        assertThat(d.get("/api/v1/vets/" + ran.get(0), TOKEN).statusCode()).isEqualTo(404);
        assertThat(d.get("/api/v1/vets/" + ran.get(1), TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void aGoodReloadAppliesAndMovesTheSchedule() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        // Rotate the token and move the schedule to every second.
        Files.writeString(dir.resolve("api2.token"), "rotated-api-token-0123456789\n");
        d.config(
                primary.url(),
                "* * * * * ?",
                "server:\n  listen: 127.0.0.1:0\n  token-file: api2.token\n",
                "mirror-1=" + mirror.url(),
                "mirror-2=" + mirror.url().resolve("/other"));

        HttpResponse<String> reloaded = d.post("/-/reload", TOKEN, null);

        assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
        assertThat(d.observer.reloads).containsExactly(true);
        assertThat(d.daemon.config().nodes()).hasSize(2);
        assertThat(d.get("/api/v1/vets", TOKEN).statusCode()).isEqualTo(401);
        assertThat(d.get("/api/v1/vets", "rotated-api-token-0123456789").statusCode())
                .isEqualTo(200);
        await("a vet on the new schedule", () -> d.observer.started.get() > 0);
    }

    @Test
    void aBadReloadKeepsTheOldConfigAndSaysWhy() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        Files.writeString(d.configFile, Files.readString(d.configFile).replace(NEVER, "every minute"));

        HttpResponse<String> refused = d.post("/-/reload", TOKEN, null);

        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(json(refused).get("error").asText())
                .startsWith("reload failed, the previous config stays in force: " + d.configFile + ": 1 problem:")
                .contains("vet.schedule: is not a valid Quartz cron expression");
        assertThat(d.observer.reloads).containsExactly(false);
        assertThat(d.daemon.config().vet().schedule()).isEqualTo(NEVER);
        assertThat(d.daemon.notReady()).isEmpty();
        assertThat(d.awaitReport(d.trigger(null)).get("status").asText()).isEqualTo("consistent");
    }

    @Test
    void withoutAStoreTheDaemonIsNotReadyButVetsAndServesReportsFromMemory() throws Exception {
        // state.dir under a regular file: it cannot be created, just as on a read-only disk.
        Files.writeString(dir.resolve("a-file"), "not a folder\n");
        DaemonHarness d = harness(NEVER, "state:\n  dir: a-file/state\n", "mirror-1=" + mirror.url())
                .start();

        HttpResponse<String> ready = d.get("/-/ready", null);
        String id = d.trigger(null);
        JsonNode report = d.awaitReport(id);

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("farmvet is not ready: store not open (state.dir ");
        assertThat(report.get("status").asText()).isEqualTo("consistent");
        assertThat(d.observer.historyWriteFailures.get()).isEqualTo(1);
        assertThat(d.daemon.historyWriteFailures()).isEqualTo(1);
        assertThat(d.get("/api/v1/vets", TOKEN).statusCode()).isEqualTo(503);
        assertThat(d.get("/-/healthy", null).statusCode()).isEqualTo(200);
    }

    @Test
    void healthyAndReady() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url()).start();

        HttpResponse<String> healthy = d.get("/-/healthy", null);
        HttpResponse<String> ready = d.get("/-/ready", null);

        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("farmvet is ready\n");
    }

    @Test
    void aStoppedDaemonFreesItsPortAndStore() throws Exception {
        DaemonHarness d = harness(NEVER, "", "mirror-1=" + mirror.url()).start();
        URI url = d.daemon.url();

        d.stop();
        d.stop();

        assertThat(d.daemon.awaitStopped(Duration.ZERO)).isTrue();
        assertThat(d.daemon.notReady()).contains("stopping");
        assertThat(isListening(url)).isFalse();
        // H2 would refuse a second process, not a second open after a clean close.
        assertThat(io.farmvet.daemon.history.RunHistory.open(dir.resolve("state"))
                        .list(10, null))
                .isEmpty();
    }

    @Test
    void theDaemonRefusesAConfigWithoutAnApiToken() throws Exception {
        DaemonHarness d = harness(NEVER, "server:\n  listen: 127.0.0.1:0\n", "mirror-1=" + mirror.url());

        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class, d::start);

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("server.token-file: is required to run the daemon");
    }

    private static boolean isListening(URI url) {
        try (java.net.Socket ignored = new java.net.Socket(url.getHost(), url.getPort())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}

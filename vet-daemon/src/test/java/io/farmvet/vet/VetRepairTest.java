package io.farmvet.vet;

import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.send.HttpTemplate;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole vets with repairs on, against loopback servers that count the resync requests they receive: exactly the
 * drifted pairs are requested, with each node's own credentials, and nothing else (issue 3).
 */
class VetRepairTest {
    private static final String RESYNC = "/rest/farmvet/1/resync";
    private static final FakeServer.Responder ACCEPTED = FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}");

    @TempDir
    Path state;

    private final List<FakeServer> servers = new ArrayList<>();
    private final Listings farm = Listings.generated(300, 4);
    /** Repository 5 lost a push on the drifted node, repository 7 was never cloned there. */
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()))
            .with(7, r -> null);

    @AfterEach
    void stopServers() throws Exception {
        for (FakeServer server : servers) {
            server.close();
        }
    }

    @Test
    void exactlyTheDriftedPairsAreRequestedWithEachNodesCredentials(@TempDir Path secrets) throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer bad = serve(node(drifted));
        FakeServer good = serve(node(farm));
        Auth badAuth = new Auth.Bearer(new Secret("bad-node-token", secrets.resolve("a")));
        Auth goodAuth = new Auth.Bearer(new Secret("good-node-token", secrets.resolve("b")));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("bad", bad.url(), badAuth)
                .node("good", good.url(), goodAuth)
                .repair(agent().build(), state));

        assertThat(resyncs(bad))
                .extracting(FakeServer.Request::body)
                .containsExactlyInAnyOrder(
                        "{\"repoId\":5,\"projectId\":2,\"kinds\":[\"content\"]}",
                        "{\"repoId\":7,\"projectId\":4,\"kinds\":[\"missing\"]}");
        assertThat(resyncs(bad))
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer bad-node-token"));
        assertThat(resyncs(good)).isEmpty();
        assertThat(report.nodes().get(0).repairs())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(5L, "sent"),
                        org.assertj.core.groups.Tuple.tuple(7L, "sent"));
        assertThat(report.nodes().get(1).repairs()).isEmpty();
    }

    @Test
    void aNodeWhoseListingFailedGetsNothing() throws Exception {
        String json = drifted.json();
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer cut = serve(node(FakeServer.cutShort(json, json.length() / 2)));
        FakeServer bad = serve(node(drifted));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("cut", cut.url())
                .node("bad", bad.url())
                .repair(agent().build(), state));

        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(resyncs(cut)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).isEmpty();
        assertThat(resyncs(bad)).hasSize(2);
    }

    @Test
    void nothingIsRepairedWhenThePrimaryFailed() throws Exception {
        FakeServer primary = serve(FakeServer.status(503, "Service Unavailable", "starting"));
        FakeServer bad = serve(node(drifted));

        VetReport report = VetReports.vet(
                new TestConfigs().primary(primary.url()).node("bad", bad.url()).repair(agent().build(), state));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCOMPLETE);
        assertThat(resyncs(bad)).isEmpty();
    }

    @Test
    void theSafetyValveRefusesMassDivergenceAndSendsNothing() throws Exception {
        Listings halfSynced = farm;
        for (long id = 1; id <= 40; id++) {
            halfSynced = halfSynced.with(id, r -> null);
        }
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer node = serve(node(halfSynced));

        VetReport report = VetReports.vet(
                new TestConfigs().primary(primary.url()).node("n", node.url()).repair(agent().build(), state));

        assertThat(resyncs(node)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).hasSize(40).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("refused");
            assertThat(e.detail()).isEqualTo("mass divergence (40 of 300)");
        });
    }

    @Test
    void aDryRunPlansEveryRequestAndSendsNone() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer node = serve(node(drifted));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("n", node.url())
                .repair(agent().dryRun(true).build(), state));

        assertThat(resyncs(node)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).hasSize(2).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("dry-run");
            assertThat(e.detail()).startsWith("POST " + node.url() + RESYNC);
        });
    }

    @Test
    void aPendingRepairIsNotRequestedAgainAndIsVerifiedOnceItTakes() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        // The node accepts the resyncs but has not applied them by the second vet; by the third it has.
        FakeServer node = serve(node(FakeServer.sequence(
                FakeServer.json(drifted.json()), FakeServer.json(drifted.json()), FakeServer.json(farm.json()))));
        TestConfigs configs =
                new TestConfigs().primary(primary.url()).node("n", node.url()).repair(agent().build(), state);

        VetReport first = VetReports.vet(configs);
        VetReport second = VetReports.vet(configs);
        VetReport third = VetReports.vet(configs);

        assertThat(resyncs(node)).hasSize(2);
        assertThat(first.nodes().get(0).repairs())
                .extracting(e -> e.outcome().wireName())
                .containsOnly("sent");
        assertThat(second.nodes().get(0).repairs()).hasSize(2).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("skipped");
            assertThat(e.detail()).startsWith("pending since ");
        });
        assertThat(third.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(third.nodes().get(0).repairs())
                .extracting(e -> e.outcome().wireName())
                .containsOnly("repaired");
        // sent and accepted for each repair, then repaired.
        assertThat(Files.readAllLines(state.resolve("repairs.jsonl"))).hasSize(6);
    }

    @Test
    void aRepositoryWrittenToDuringTheSettleDelayIsLeftAlone() throws Exception {
        // Between the two looks the primary took a push to repository 5: the node's copy may just be behind.
        Listings pushed = farm.with(5, r -> new Listings.Repo(r.project(), 5, hash("pushed", 5), r.metadata()));
        FakeServer primary = serve(FakeServer.sequence(FakeServer.json(farm.json()), FakeServer.json(pushed.json())));
        FakeServer node = serve(node(drifted));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("n", node.url())
                .repair(agent().settle(Duration.ofMillis(200)).build(), state));

        assertThat(resyncs(node))
                .extracting(FakeServer.Request::body)
                .containsExactly("{\"repoId\":7,\"projectId\":4,\"kinds\":[\"missing\"]}");
        assertThat(report.nodes().get(0).repairs())
                .filteredOn(e -> e.repoId() == 5)
                .singleElement()
                .satisfies(e -> assertThat(e.outcome().wireName()).isEqualTo("skipped"));
        assertThat(primary.requests()).hasSize(2);
    }

    @Test
    void failedRequestsAreRetriedABoundedNumberOfTimes() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        Listings oneDrift = farm.with(5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()));
        FakeServer single = serve(FakeServer.node(
                "SYNCHRONIZED",
                FakeServer.route(
                        RESYNC,
                        FakeServer.status(500, "Server Error", "disk full"),
                        FakeServer.json(oneDrift.json()))));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("n", single.url())
                .repair(
                        agent().retries(2)
                                .backoffInitial(Duration.ofMillis(10))
                                .backoffMax(Duration.ofMillis(20))
                                .build(),
                        state));

        assertThat(resyncs(single)).hasSize(3);
        assertThat(report.nodes().get(0).repairs()).singleElement().satisfies(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("failed");
            assertThat(e.detail()).contains("500");
        });
    }

    @Test
    void theHttpAdapterCallsTheOperatorsAutomationOncePerPair() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer node = serve(node(drifted));
        FakeServer automation = serve(ACCEPTED);
        HttpTemplate template = new HttpTemplate(
                "POST", automation.url() + "/job/resync?node={nodeName}&repo={repoId}&kinds={kinds}", null, Map.of());

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror 1", node.url())
                .repair(
                        RepairSettings.builder()
                                .mode(RepairMode.HTTP)
                                .http(template)
                                .settle(Duration.ZERO)
                                .build(),
                        state));

        assertThat(automation.requests())
                .extracting(FakeServer.Request::path)
                .containsExactlyInAnyOrder(
                        "/job/resync?node=mirror%201&repo=5&kinds=content",
                        "/job/resync?node=mirror%201&repo=7&kinds=missing");
        assertThat(resyncs(node)).isEmpty();
        assertThat(report.nodes().get(0).repairs())
                .extracting(e -> e.outcome().wireName())
                .containsOnly("sent");
    }

    @Test
    void anUnusableStateDirStopsRepairsButNotTheVet() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer node = serve(node(drifted));
        Path notADirectory = Files.writeString(state.resolve("occupied"), "a file where the state should go");

        VetReport report = VetReports.vet(
                new TestConfigs().primary(primary.url()).node("n", node.url()).repair(agent().build(), notADirectory));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(report.nodes().get(0).inconsistencies()).hasSize(2);
        assertThat(report.repairError())
                .startsWith("repairs are off for this vet: cannot open the repair state in " + notADirectory)
                .contains("state.dir");
        assertThat(resyncs(node)).isEmpty();
    }

    @Test
    void aNodeThatSaysItIsNotSynchronizedIsVettedButNotRepaired() throws Exception {
        FakeServer primary = serve(FakeServer.json(farm.json()));
        FakeServer starting =
                serve(FakeServer.node("STARTING", FakeServer.route(RESYNC, ACCEPTED, FakeServer.json(drifted.json()))));
        FakeServer firstRun = serve(FakeServer.node(
                "METADATA_SYNCHRONIZED", FakeServer.route(RESYNC, ACCEPTED, FakeServer.json(drifted.json()))));
        // A server without a /status endpoint (404) is judged by its listing alone.
        FakeServer noStatus = serve(FakeServer.route(
                "/status",
                FakeServer.status(404, "Not Found", ""),
                FakeServer.route(RESYNC, ACCEPTED, FakeServer.json(drifted.json()))));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("starting", starting.url())
                .node("first-run", firstRun.url())
                .node("no-status", noStatus.url())
                .repair(agent().build(), state));

        assertThat(report.nodes())
                .extracting(VetReport.NodeResult::state)
                .containsExactly("STARTING", "METADATA_SYNCHRONIZED", null);
        assertThat(resyncs(starting)).isEmpty();
        assertThat(resyncs(firstRun)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).hasSize(2).allSatisfy(e -> assertThat(e.detail())
                .isEqualTo("not repaired: the node's /status says STARTING, not SYNCHRONIZED; a node that is starting"
                        + " or still syncing lists less than it mirrors"));
        assertThat(resyncs(noStatus)).hasSize(2);
    }

    private static RepairSettings.Builder agent() {
        // No settle delay unless a test is about it: the confirmation itself is tested in its own case.
        return RepairSettings.builder().mode(RepairMode.AGENT).settle(Duration.ZERO);
    }

    /** A synchronized node that serves its listing and accepts every resync. */
    private static FakeServer.Responder node(Listings listing) {
        return node(FakeServer.json(listing.shuffledJson(11)));
    }

    private static FakeServer.Responder node(FakeServer.Responder listing) {
        return FakeServer.node("SYNCHRONIZED", FakeServer.route(RESYNC, ACCEPTED, listing));
    }

    private static List<FakeServer.Request> resyncs(FakeServer server) {
        return server.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC))
                .toList();
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        servers.add(server);
        return server;
    }
}

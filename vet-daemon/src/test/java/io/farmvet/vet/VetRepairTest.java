package io.farmvet.vet;

import static io.farmvet.testing.FakeFarm.RESYNC_PATH;
import static io.farmvet.testing.FakeFarm.resyncs;
import static io.farmvet.testing.FakeFarm.syncedNode;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.send.HttpTemplate;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole vets with repairs on, against loopback servers that count the resync requests they receive: exactly the
 * drifted pairs are requested, with each node's own credentials, and nothing else (issue 3).
 */
class VetRepairTest {

    @TempDir
    Path state;

    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(300, 4);
    /** Repository 5 lost a push on the drifted node, repository 7 was never cloned there. */
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()))
            .with(7, r -> null);

    @Test
    void exactlyTheDriftedPairsAreRequestedWithEachNodesCredentials(@TempDir Path secrets) throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer bad = servers.serve(syncedNode(drifted));
        FakeServer good = servers.serve(syncedNode(farm));
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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer cut = servers.serve(syncedNode(FakeServer.cutShort(json, json.length() / 2)));
        FakeServer bad = servers.serve(syncedNode(drifted));

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
        FakeServer primary = servers.serve(FakeServer.status(503, "Service Unavailable", "starting"));
        FakeServer bad = servers.serve(syncedNode(drifted));

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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer node = servers.serve(syncedNode(halfSynced));

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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer node = servers.serve(syncedNode(drifted));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("n", node.url())
                .repair(agent().dryRun(true).build(), state));

        assertThat(resyncs(node)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).hasSize(2).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("dry-run");
            assertThat(e.detail()).startsWith("POST " + node.url() + RESYNC_PATH);
        });
    }

    @Test
    void aPendingRepairIsNotRequestedAgainAndIsVerifiedOnceItTakes() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        // The node accepts the resyncs but has not applied them by the second vet; by the third it has.
        FakeServer node = servers.serve(syncedNode(FakeServer.sequence(
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
        // The names lookup (issue 12) is routed aside, so the sequence is the listings' alone.
        FakeServer primary = servers.serve(FakeServer.route(
                FakeBitbucket.REPOS_PATH,
                FakeServer.status(404, "Not Found", "{}"),
                FakeServer.sequence(FakeServer.json(farm.json()), FakeServer.json(pushed.json()))));
        FakeServer node = servers.serve(syncedNode(drifted));

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
        assertThat(primary.requests())
                .filteredOn(r -> r.path().equals("/rest/mirroring/latest/repo-hashes"))
                .hasSize(2);
    }

    @Test
    void failedRequestsAreRetriedABoundedNumberOfTimes() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        Listings oneDrift = farm.with(5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()));
        FakeServer single = servers.serve(FakeServer.node(
                "SYNCHRONIZED",
                FakeServer.route(
                        RESYNC_PATH,
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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer node = servers.serve(syncedNode(drifted));
        FakeServer automation = servers.serve(FakeFarm.ACCEPTED);
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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer node = servers.serve(syncedNode(drifted));
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
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer starting = servers.serve(FakeServer.node(
                "STARTING", FakeServer.route(RESYNC_PATH, FakeFarm.ACCEPTED, FakeServer.json(drifted.json()))));
        FakeServer firstRun = servers.serve(FakeServer.node(
                "METADATA_SYNCHRONIZED",
                FakeServer.route(RESYNC_PATH, FakeFarm.ACCEPTED, FakeServer.json(drifted.json()))));
        // A server without a /status endpoint (404) is judged by its listing alone.
        FakeServer noStatus = servers.serve(FakeServer.route(
                "/status",
                FakeServer.status(404, "Not Found", ""),
                FakeServer.route(RESYNC_PATH, FakeFarm.ACCEPTED, FakeServer.json(drifted.json()))));

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
}

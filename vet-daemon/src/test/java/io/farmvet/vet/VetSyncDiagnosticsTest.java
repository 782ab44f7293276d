package io.farmvet.vet;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.MISSING;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.explain.NodeSync;
import io.farmvet.explain.RepositorySync;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.names.NameLookup;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12 section 3, why a repository is behind: each drifted repository's {@code repoSyncStatus} and {@code
 * mirrorRepos/{id}} on its node, Bitbucket's delayed-sync list and the farm's {@code refChangesQueue} go into the
 * report; whatever a node refuses, garbles or sits on is one note on it, with the verdicts as without it.
 */
class VetSyncDiagnosticsTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private final Listings farm = Listings.generated(40, 6);
    /** Repositories 5 (P6/repo-5) and 9 (P4/repo-9) stale, 7 (P2/repo-7) missing. */
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), r.id(), hash("x", 5), r.metadata()))
            .with(9, r -> new Listings.Repo(r.project(), r.id(), hash("x", 9), r.metadata()))
            .with(7, r -> null);

    private static final List<Inconsistency> VERDICTS = List.of(
            new Inconsistency(5, 6, Set.of(CONTENT)),
            new Inconsistency(7, 2, Set.of(MISSING)),
            new Inconsistency(9, 4, Set.of(CONTENT)));

    @Test
    void issue12EachDriftedRepositoryCarriesWhatItsNodeSaysOfItsSync() throws Exception {
        Instant threeHoursAgo = NOW.minus(Duration.ofHours(3));
        FakeBitbucket.Node node = FakeBitbucket.node(drifted)
                .syncState(5, threeHoursAgo, 4, "ERROR_AVAILABLE")
                .delayed(5)
                .refChangesQueue(17);

        VetReport report = vet(node, config -> config);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        NodeSync sync = report.sync().node("mirror-1");
        assertThat(sync.notes()).isEmpty();
        assertThat(sync.refChangesQueue()).isEqualTo(17);
        Instant initial = FakeBitbucket.Node.SYNCED_AT.minus(Duration.ofDays(30));
        assertThat(sync.repositories())
                .isEqualTo(Map.of(
                        5L, new RepositorySync(threeHoursAgo, initial, 4, "ERROR_AVAILABLE", true),
                        9L, new RepositorySync(FakeBitbucket.Node.SYNCED_AT, initial, 0, "AVAILABLE", false)));
        // The missing repository is not asked for its repoSyncStatus (it has none there); mirrorRepos says 404.
        assertThat(serverOf(node).requests())
                .extracting(FakeServer.Request::path)
                .noneMatch(p -> p.contains("/repos/repo-7/"))
                .anyMatch(p -> p.endsWith("/mirrorRepos/7"));
        assertThat(VetReports.compactJson(report))
                .contains("\"clockSkewMs\":null,\"refChangesQueue\":17,\"notes\":[],\"inconsistencies\"")
                .contains("{\"repoId\":5,\"projectId\":6,\"projectKey\":\"P6\",\"slug\":\"repo-5\",\"kinds\":"
                        + "[\"content\"],\"sync\":{\"lastSyncDate\":\"2026-12-01T09:00:00Z\",\"initialSyncDate\":"
                        + "\"2026-10-31T09:00:00Z\",\"failedSyncCount\":4,\"status\":\"ERROR_AVAILABLE\","
                        + "\"bitbucketDelayed\":true}}")
                .contains("{\"repoId\":7,\"projectId\":2,\"projectKey\":\"P2\",\"slug\":\"repo-7\",\"kinds\":"
                        + "[\"missing\"]}");
        assertThat(VetReports.text(report))
                .contains("    ref changes queued: 17\n")
                .contains("      P6/repo-5 (id 5): content\n"
                        + "        sync: last synced 3 h ago, 4 failed syncs, status ERROR_AVAILABLE, on Bitbucket's"
                        + " delayed-sync list\n")
                .contains("      P4/repo-9 (id 9): content\n"
                        + "        sync: last synced 27 h ago, 0 failed syncs, status AVAILABLE\n");
    }

    @Test
    void issue12TheSameFakeNodeListsItsFarmMembersBesideItsSyncStatus() throws Exception {
        VetReport report = vet(FakeBitbucket.node(drifted).members("mirror-1", "mirror-9"), config -> config);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.members().unvettedMembers())
                .extracting(FarmMembership.UnvettedMember::name)
                .containsExactly("mirror-9");
        assertThat(report.sync().node("mirror-1").notes()).isEmpty();
        assertThat(report.sync().node("mirror-1").repositories()).containsOnlyKeys(5L, 9L);
    }

    @Test
    void issue12AnAccountWithoutAdminIsOneNoteAndMirrorReposStillAnswers() throws Exception {
        FakeBitbucket.Node node =
                FakeBitbucket.node(drifted).supportInfoStatus(401).syncState(5, NOW, 2, "ERROR_AVAILABLE");

        VetReport report = vet(node, config -> config);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        NodeSync sync = report.sync().node("mirror-1");
        assertThat(sync.refChangesQueue()).isNull();
        assertThat(sync.notes())
                .singleElement()
                .asString()
                .startsWith("mirror-1: GET ")
                .contains("supportInfo/refChangesQueue/count answered HTTP 401 (the account of nodes[0].auth"
                        + " needs ADMIN on the mirror for this); sync diagnostics of mirror-1 are incomplete this"
                        + " vet (2 calls failed)");
        // After the first 401 of repoSyncStatus, it is not asked again; mirrorRepos is not supportInfo.
        assertThat(serverOf(node).requests())
                .filteredOn(r -> r.path().endsWith("/repoSyncStatus"))
                .hasSize(1);
        assertThat(sync.repository(5)).isEqualTo(new RepositorySync(null, null, null, "ERROR_AVAILABLE", false));
        assertThat(VetReports.text(report))
                .contains("    note: mirror-1: GET ")
                .contains("        sync: status ERROR_AVAILABLE\n");
    }

    @Test
    void issue12ABitbucketBefore95HasNoDelayedSyncListAndSaysSoOnce() throws Exception {
        VetReport report = vet(FakeBitbucket.node(drifted).delayedSyncStatus(404), config -> config);

        NodeSync sync = report.sync().node("mirror-1");
        assertThat(sync.notes())
                .singleElement()
                .asString()
                .contains("mirrorRepos/delayed-sync?delayThreshold=PT15M&limit=100 answered HTTP 404 (Bitbucket"
                        + " before 9.5 has no delayed-sync list)");
        assertThat(sync.repository(5).lastSyncDate()).isEqualTo(FakeBitbucket.Node.SYNCED_AT);
    }

    @Test
    void issue12AnAnswerForAnotherRepositoryIsANoteNeverAWrongValue() throws Exception {
        VetReport report = vet(FakeBitbucket.node(drifted).wrongRepository(1000).delayed(5), config -> config);

        NodeSync sync = report.sync().node("mirror-1");
        assertThat(sync.notes())
                .singleElement()
                .asString()
                .contains("is for repository 1005, not 5 (P6/repo-5)")
                .contains("(4 calls failed)");
        // Only what did not come from the wrong answers: Bitbucket's delayed list.
        assertThat(sync.repositories()).isEqualTo(Map.of(5L, new RepositorySync(null, null, null, null, true)));
        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
    }

    @Test
    void issue12GarbageFromANodeIsOneNote() throws Exception {
        VetReport report = vet(FakeBitbucket.node(drifted).garbage("<html>\u0007oops</html>"), config -> config);

        NodeSync sync = report.sync().node("mirror-1");
        assertThat(sync.refChangesQueue()).isNull();
        assertThat(sync.repositories()).isEmpty();
        assertThat(sync.notes())
                .singleElement()
                .asString()
                .contains("is not JSON")
                .doesNotContainPattern("\\p{Cntrl}");
    }

    @Test
    void issue12ANodeThatSitsOnItsAnswersPastTheDeadlineIsANoteAndTheVetStillEnds() throws Exception {
        FakeBitbucket.Node node = FakeBitbucket.node(drifted).stall(Duration.ofMinutes(5));

        VetReport report = vet(node, config -> config.deadline(Duration.ofSeconds(3)));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(report.sync().node("mirror-1").notes())
                .containsExactly(
                        "mirror-1: sync diagnostics not finished within vet.deadline (3s); the verdicts stand");
    }

    @Test
    void issue12AtMostMaxRepositoriesAreLookedIntoPerVetAndZeroAsksOnlyTheQueue() throws Exception {
        FakeBitbucket.Node two = FakeBitbucket.node(drifted);
        vet(two, config -> config.explain(1));
        // refChangesQueue, delayed-sync, then repository 5's repoSyncStatus and mirrorRepos: not 7's, not 9's.
        assertThat(serverOf(two).requests())
                .extracting(FakeServer.Request::path)
                .filteredOn(p -> p.contains("/supportInfo/") || p.contains("/mirrorRepos/"))
                .containsExactly(
                        "/rest/mirroring/latest/supportInfo/refChangesQueue/count",
                        "/rest/mirroring/latest/mirrorRepos/delayed-sync?delayThreshold=PT15M&limit=100",
                        "/rest/mirroring/latest/supportInfo/projects/P6/repos/repo-5/repoSyncStatus",
                        "/rest/mirroring/latest/mirrorRepos/5");

        FakeBitbucket.Node none = FakeBitbucket.node(drifted).refChangesQueue(3);
        VetReport report = vet(none, config -> config.explain(0));
        assertThat(FakeBitbucket.Node.mirroringRequests(serverOf(none))).isEqualTo(1);
        assertThat(report.sync().node("mirror-1").refChangesQueue()).isEqualTo(3);
    }

    private final Map<FakeBitbucket.Node, FakeServer> started = new java.util.HashMap<>();

    private FakeServer serverOf(FakeBitbucket.Node node) {
        return started.get(node);
    }

    private VetReport vet(FakeBitbucket.Node node, java.util.function.UnaryOperator<TestConfigs> adjust)
            throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer mirror = servers.serve(node.responder());
        started.put(node, mirror);
        FarmvetConfig config = adjust.apply(new TestConfigs()
                        .explain(FarmvetConfig.Explain.DEFAULT_MAX_REPOSITORIES)
                        .primary(primary.url())
                        .node("mirror-1", mirror.url()))
                .build();
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(),
                new ListingReader(config.listing().limits()),
                config.nodes().size() + 1)) {
            Vet vet = new Vet(config, fetcher, Clock.fixed(NOW, ZoneOffset.UTC), new NameLookup());
            return vet.run(vet.newProgress());
        }
    }
}

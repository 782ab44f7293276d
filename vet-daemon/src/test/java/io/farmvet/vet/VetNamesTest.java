package io.farmvet.vet;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.EXTRA;
import static io.farmvet.compare.Kind.MISSING;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.names.NameLookup;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12, names: every reported repository carries its project key and slug, from the Bitbucket primary's paged
 * {@code rest/mirroring/latest/repos} or from an agent's listing; a lookup that fails or is fed bad pages ends in
 * one note on the primary, and the verdicts stand as without it.
 */
class VetNamesTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(300, 6);
    /** Repository 5 (project 6) stale, 7 (project 2) missing, 5000 only on the node. */
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), r.id(), hash("x", 5), r.metadata()))
            .with(7, r -> null)
            .add(3, 5000, hash("c", 5000), hash("m", 5000));

    private static final List<Inconsistency> VERDICTS = List.of(
            new Inconsistency(5, 6, Set.of(CONTENT)),
            new Inconsistency(7, 2, Set.of(MISSING)),
            new Inconsistency(5000, 3, Set.of(EXTRA)));

    @Test
    void issue12EveryInconsistencyCarriesItsProjectKeyAndSlugInTheJsonAndTheText(@TempDir Path dir) throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(FakeServer.json(drifted.shuffledJson(1)));
        Auth bearer = new Auth.Bearer(new Secret("primary-token", dir.resolve("t")));

        VetReport report = vet(new TestConfigs().primary(primary.url(), bearer).node("n", node.url()));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes()).isEmpty();
        // 300 repositories at the fake's 25 a page: every page was asked for, with the primary's credentials.
        assertThat(FakeBitbucket.reposRequests(primary)).isEqualTo(12);
        assertThat(primary.requests())
                .filteredOn(r -> r.path().startsWith(FakeBitbucket.REPOS_PATH))
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer primary-token"));
        String json = VetReports.compactJson(report);
        assertThat(json)
                .contains("{\"repoId\":5,\"projectId\":6,\"projectKey\":\"P6\",\"slug\":\"repo-5\",\"kinds\"")
                .contains("{\"repoId\":7,\"projectId\":2,\"projectKey\":\"P2\",\"slug\":\"repo-7\",\"kinds\"")
                .contains("{\"repoId\":5000,\"projectId\":3,\"projectKey\":null,\"slug\":null,\"kinds\"")
                .contains("\"notes\":[]");
        assertThat(VetReports.text(report))
                .contains("      P6/repo-5 (id 5): content\n")
                .contains("      P2/repo-7 (id 7): missing\n")
                // The primary does not have it, so it has no name to give.
                .contains("      repository 5000 (project 3): extra\n");
    }

    @Test
    void issue12EveryRepairCarriesItsProjectKeyAndSlug(@TempDir Path state) throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(FakeFarm.syncedNode(drifted));
        RepairSettings repair = RepairSettings.builder()
                .mode(RepairMode.AGENT)
                .settle(Duration.ZERO)
                .maxFraction(0.5)
                .build();

        VetReport report = vet(
                new TestConfigs().primary(primary.url()).node("n", node.url()).repair(repair, state));

        assertThat(report.nodes().get(0).repairs()).hasSize(3);
        assertThat(VetReports.compactJson(report))
                .contains("{\"repoId\":5,\"projectKey\":\"P6\",\"slug\":\"repo-5\",\"kinds\":[\"content\"]")
                .contains("{\"repoId\":5000,\"projectKey\":null,\"slug\":null,\"kinds\":[\"extra\"]");
        assertThat(VetReports.text(report))
                .contains("      P6/repo-5 (id 5, content): sent")
                .contains("      P2/repo-7 (id 7, missing): sent")
                .contains("      repository 5000 (extra): sent");
    }

    @Test
    void issue12AnAgentListingNamesItsRepositoriesWithoutAskingForRepos() throws Exception {
        String named = "{\"projects\":[{\"id\":1,\"key\":\"API\",\"public\":false,\"repositories\":["
                + "{\"id\":11,\"slug\":\"billing\",\"hashes\":{\"content\":\"" + hash("c", 11) + "\",\"metadata\":\""
                + hash("m", 11) + "\"}}]}]}";
        String stale = named.replace(hash("c", 11), hash("x", 11));
        FakeServer primary = servers.serve(FakeServer.json(named));
        FakeServer node = servers.serve(FakeServer.json(stale));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(VetReports.text(report)).contains("      API/billing (id 11): content\n");
        assertThat(VetReports.compactJson(report)).contains("\"projectKey\":\"API\",\"slug\":\"billing\"");
        assertThat(FakeBitbucket.reposRequests(primary)).isZero();
        assertThat(report.primary().notes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403, 404, 500})
    void issue12ARefusedLookupIsOneNoteAndTheRepositoriesAreReportedById(int status) throws Exception {
        VetReport report = vetWith(new FakeBitbucket(farm).reposStatus(status));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .startsWith("repository names not read (primary: GET http://127.0.0.1:")
                .contains("/rest/mirroring/latest/repos?start=0&limit=1000 answered HTTP " + status)
                .endsWith("repositories are reported by id");
        assertThat(VetReports.text(report))
                .contains("    note: repository names not read")
                .contains("      repository 5 (project 6): content\n");
    }

    @Test
    void issue12PagesThatNeverEndAreANote() throws Exception {
        FakeBitbucket endless = new FakeBitbucket(farm).pageSize(1000).endless();

        VetReport report = vetWith(endless);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("listed more than 10300 repositories in 11 pages (the listing has 300) and is still not at"
                        + " its last page");
    }

    @Test
    void issue12ANextPageStartThatGoesBackIsANote() throws Exception {
        VetReport report = vetWith(new FakeBitbucket(farm).backwards());

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("page at start=25 is not the last page, and its nextPageStart (0) does not move forward");
    }

    @Test
    void issue12APageOfMoreRepositoriesThanAskedForIsANote() throws Exception {
        VetReport report = vetWith(new FakeBitbucket(farm).extra(1000).hugePages(1300));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("page at start=0 holds 1300 repositories, more than the 1000 asked for");
    }

    @Test
    void issue12APageOverTheByteBoundIsANote() throws Exception {
        // 300 repositories with 20 KB descriptions on one page: about 6 MB, over the 4 MiB bound.
        VetReport report = vetWith(new FakeBitbucket(farm).pageSize(1000).padding(20_000));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("repos?start=0&limit=1000 answered more than 4.2 MB");
    }

    @Test
    void issue12APageInACodingFarmvetCannotDecodeIsANoteNamingIt() throws Exception {
        FakeServer primary = servers.serve(FakeServer.route(
                FakeBitbucket.REPOS_PATH,
                FakeServer.encoded("br", new byte[] {0x0b, 0x02, (byte) 0x80}),
                new FakeBitbucket(farm).responder()));
        FakeServer node = servers.serve(FakeServer.json(drifted.json()));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("answered with Content-Encoding \"br\", which farmvet cannot decode");
    }

    @Test
    void issue12AMalformedPageIsANote() throws Exception {
        FakeServer primary = servers.serve(FakeServer.route(
                FakeBitbucket.REPOS_PATH,
                FakeServer.json("{\"isLastPage\":true,\"values\":[{\"id\":\"five\"}]}"),
                new FakeBitbucket(farm).responder()));
        FakeServer node = servers.serve(FakeServer.json(drifted.json()));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .singleElement()
                .asString()
                .contains("page at start=0 is not the documented paged shape");
    }

    @Test
    void issue12NamesWithControlCharactersOrMarkupAreRefusedAndReportedById() throws Exception {
        FakeBitbucket primary = new FakeBitbucket(farm)
                .rename(5, "P6", "repo-5\u001b[2J")
                .rename(7, "<b>P2</b>", "repo-7")
                .rename(8, "P3", "a".repeat(129));

        VetReport report = vetWith(primary);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .containsExactly("some repositories are reported by id: rest/mirroring/latest/repos gave 3 names that"
                        + " Bitbucket does not allow (control characters, markup, over 128 characters)");
        String text = VetReports.text(report);
        assertThat(text)
                .contains("      repository 5 (project 6): content\n")
                .contains("      repository 7 (project 2): missing\n")
                .doesNotContain("\u001b")
                .doesNotContain("<b>");
        assertThat(VetReports.compactJson(report)).doesNotContain("<b>").doesNotContain("\\u001B");
    }

    @Test
    void issue12AnIdListedTwiceWithDifferentNamesIsReportedById() throws Exception {
        FakeBitbucket primary =
                new FakeBitbucket(farm).listAgain(5, "OTHER", "other").listAgain(7, "P2", "repo-7");

        VetReport report = vetWith(primary);

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .containsExactly("some repositories are reported by id: rest/mirroring/latest/repos listed 1"
                        + " repository twice with different names");
        // Listed twice with the same name, it keeps the name.
        assertThat(VetReports.text(report))
                .contains("      repository 5 (project 6): content\n")
                .contains("      P2/repo-7 (id 7): missing\n");
    }

    @Test
    void issue12ALookupStillRunningAtTheDeadlineIsANoteAndTheVerdictsStand() throws Exception {
        FakeServer primary = servers.serve(
                new FakeBitbucket(farm).stall(Duration.ofSeconds(60)).responder());
        FakeServer node = servers.serve(FakeServer.json(drifted.json()));

        VetReport report = vet(
                new TestConfigs().primary(primary.url()).node("n", node.url()).deadline(Duration.ofSeconds(2)));

        assertThat(report.nodes().get(0).inconsistencies()).isEqualTo(VERDICTS);
        assertThat(report.primary().notes())
                .containsExactly("repository names not read within vet.deadline (2s); repositories are reported by id");
    }

    @Test
    void issue12TheNamesAreAskedForAgainOnlyWhenTheListingShowsAnUnknownId() throws Exception {
        FakeBitbucket bitbucket = new FakeBitbucket(farm);
        FakeServer primary = servers.serve(bitbucket.responder());
        FakeServer node = servers.serve(FakeServer.json(drifted.json()));
        FarmvetConfig config =
                new TestConfigs().primary(primary.url()).node("n", node.url()).build();
        NameLookup names = new NameLookup();

        VetReport first = vet(config, names);
        long pages = FakeBitbucket.reposRequests(primary);
        VetReport second = vet(config, names);

        assertThat(pages).isEqualTo(12);
        assertThat(FakeBitbucket.reposRequests(primary)).isEqualTo(pages);
        assertThat(names.lookups()).isOne();
        assertThat(VetReports.text(first)).contains("      P6/repo-5 (id 5): content\n");
        assertThat(VetReports.text(second)).contains("      P6/repo-5 (id 5): content\n");

        // A repository created on the primary: the next listing shows an id the names have not seen.
        bitbucket.serve(farm.add(6, 301, hash("c", 301), hash("m", 301)));
        VetReport third = vet(config, names);

        assertThat(names.lookups()).isEqualTo(2);
        assertThat(FakeBitbucket.reposRequests(primary)).isEqualTo(pages + 13);
        assertThat(third.names().name(301)).hasToString("P6/repo-301");
    }

    private VetReport vetWith(FakeBitbucket bitbucket) throws Exception {
        FakeServer primary = servers.serve(bitbucket.responder());
        FakeServer node = servers.serve(FakeServer.json(drifted.json()));
        return vet(new TestConfigs().primary(primary.url()).node("n", node.url()));
    }

    private static VetReport vet(TestConfigs configs) throws Exception {
        return vet(configs.build(), new NameLookup());
    }

    private static VetReport vet(FarmvetConfig config, NameLookup names) throws Exception {
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 8)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC(), names);
            return vet.run(vet.newProgress());
        }
    }
}

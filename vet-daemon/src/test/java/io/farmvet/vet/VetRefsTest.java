package io.farmvet.vet;

import static io.farmvet.git.GitCli.cloneMirror;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.explain.RefDiff;
import io.farmvet.explain.RepositoryRefs;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.git.GitCli;
import io.farmvet.listing.ListingReader;
import io.farmvet.names.NameLookup;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.SelfSignedTls;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, which refs differ: a vet of a Bitbucket farm whose {@code /scm} paths serve real bare repositories over
 * real smart HTTP lists, for each {@code content} drift, the refs that differ between the primary and the node.
 */
class VetRefsTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    @TempDir
    Path tmp;

    /** Repositories 1, 2, 3 drifted in content, 4 consistent; names P1/repo-1, P1/repo-2, P2/repo-3, P2/repo-4. */
    private final Listings farm = new Listings()
            .add(1, 1, hash("c", 1), hash("m", 1))
            .add(1, 2, hash("c", 2), hash("m", 2))
            .add(2, 3, hash("c", 3), hash("m", 3))
            .add(2, 4, hash("c", 4), hash("m", 4));

    private final Listings drifted =
            farm.with(1, r -> stale(r)).with(2, r -> stale(r)).with(3, r -> stale(r));

    private Path primaryRoot;
    private Path nodeRoot;
    private String main1;
    private String movedMain1;
    private String feature1;
    private String onlyNode1;
    private String tagOnPrimary;
    private String tagOnNode;

    private static Listings.Repo stale(Listings.Repo r) {
        return new Listings.Repo(r.project(), r.id(), hash("x", r.id()), r.metadata());
    }

    @BeforeEach
    void repositories() {
        primaryRoot = tmp.resolve("primary");
        nodeRoot = tmp.resolve("node");
        // repo-1: the node's main is elsewhere, it lacks feature, has a branch of its own, and another v1 tag.
        Path p1 = primaryRoot.resolve("P1/repo-1.git");
        main1 = initWithMain(p1, "one");
        feature1 = commit(p1, "feature", main1);
        git(p1, "update-ref", "refs/heads/feature", feature1);
        git(p1, "tag", "-a", "-m", "release", "v1", main1);
        git(p1, "tag", "light", main1);
        tagOnPrimary = git(p1, "rev-parse", "refs/tags/v1").trim();
        Path n1 = cloneMirror(p1, nodeRoot.resolve("P1/repo-1.git"));
        movedMain1 = commit(n1, "moved", main1);
        git(n1, "update-ref", "refs/heads/main", movedMain1);
        git(n1, "update-ref", "-d", "refs/heads/feature");
        onlyNode1 = commit(n1, "only on the node");
        git(n1, "update-ref", "refs/heads/only-node", onlyNode1);
        git(n1, "tag", "-f", "-a", "-m", "release, again", "v1", main1);
        tagOnNode = git(n1, "rev-parse", "refs/tags/v1").trim();
        // repo-2: the same refs on both sides.
        Path p2 = primaryRoot.resolve("P1/repo-2.git");
        initWithMain(p2, "two");
        cloneMirror(p2, nodeRoot.resolve("P1/repo-2.git"));
        // repo-3: 130 branches the node does not have.
        Path p3 = primaryRoot.resolve("P2/repo-3.git");
        String main3 = initWithMain(p3, "three");
        cloneMirror(p3, nodeRoot.resolve("P2/repo-3.git"));
        StringBuilder creates = new StringBuilder();
        for (int i = 0; i < 130; i++) {
            creates.append(String.format("create refs/heads/b%03d %s%n", i, main3));
        }
        GitCli.shWithInput(p3, "git update-ref --stdin", creates.toString());
    }

    private FakeServer primary(FakeBitbucket bitbucket) throws Exception {
        return servers.serve(bitbucket.responder());
    }

    @Test
    void issue12TheRefsThatDifferAreListedForEachContentDrift() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(farm).scm(primaryRoot));
        FakeServer node = servers.serve(new FakeBitbucket(drifted).scm(nodeRoot).responder());

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .explain(50));

        assertThat(report.nodes().get(0).inconsistencies()).hasSize(3);
        assertThat(report.refs().of("mirror-1", 1).refs())
                .containsExactly(
                        new RefDiff("refs/heads/feature", feature1, null),
                        new RefDiff("refs/heads/main", main1, movedMain1),
                        new RefDiff("refs/heads/only-node", null, onlyNode1),
                        // An annotated tag is compared by its own id: same commit, another tag object.
                        new RefDiff("refs/tags/v1", tagOnPrimary, tagOnNode));
        assertThat(report.refs().of("mirror-1", 2)).isEqualTo(new RepositoryRefs(2, List.of(), 0));
        RepositoryRefs many = report.refs().of("mirror-1", 3);
        assertThat(many.refs()).hasSize(RepositoryRefs.MAX_LISTED);
        assertThat(many.refs().get(0))
                .isEqualTo(new RefDiff("refs/heads/b000", many.refs().get(0).primary(), null));
        assertThat(many.omitted()).isEqualTo(30);
        assertThat(report.refs().of("mirror-1", 4)).isNull();
        assertThat(report.refs().notes()).isEmpty();
        assertThat(VetReports.compactJson(report))
                .contains("\"slug\":\"repo-1\",\"kinds\":[\"content\"],\"refs\":[{\"ref\":\"refs/heads/feature\","
                        + "\"primary\":\"" + feature1 + "\",\"node\":null},")
                .contains("{\"ref\":\"refs/heads/only-node\",\"primary\":null,\"node\":\"" + onlyNode1 + "\"}")
                .contains("\"refsOmitted\":30")
                .contains("\"refsNotes\":[]");
        assertThat(VetReports.text(report))
                .contains("      P1/repo-1 (id 1): content\n"
                        + "        refs/heads/feature: primary " + feature1.substring(0, 12) + ", mirror-1 absent\n"
                        + "        refs/heads/main: primary " + main1.substring(0, 12) + ", mirror-1 "
                        + movedMain1.substring(0, 12) + "\n")
                .contains("      P1/repo-2 (id 2): content\n        no advertised ref differs now")
                .contains("        … and 120 more refs (--json lists 100)\n");
        // Each side was asked at its /scm, by the names from the primary's repos.
        assertThat(primary.requests()).anySatisfy(r -> assertThat(r.path()).startsWith("/scm/P1/repo-1.git/info/refs"));
        assertThat(node.requests()).anySatisfy(r -> assertThat(r.path()).startsWith("/scm/P2/repo-3.git/"));
    }

    @Test
    void issue12EachServerIsAskedWithItsOwnCredentialsAndARefusalIsOneNote() throws Exception {
        Auth primaryAuth = new Auth.Bearer(new Secret("primary-token-123", tmp.resolve("p")));
        Auth wrong = new Auth.Bearer(new Secret("wrong-node-token-456", tmp.resolve("n")));
        FakeServer primary =
                primary(new FakeBitbucket(farm).scm(primaryRoot).scmAuthorization("Bearer primary-token-123"));
        FakeServer node = servers.serve(new FakeBitbucket(drifted)
                .scm(nodeRoot)
                .scmAuthorization("Bearer right-node-token")
                .responder());
        VetReport without =
                vet(new TestConfigs().primary(primary.url(), primaryAuth).node("mirror-1", node.url(), wrong));

        assertThat(without.nodes().get(0).inconsistencies()).hasSize(3);
        assertThat(without.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(without.refs().byNode()).isEmpty();
        VetReport report = vet(new TestConfigs()
                .primary(primary.url(), primaryAuth)
                .node("mirror-1", node.url(), wrong)
                .explain(50));

        assertThat(report.nodes().get(0).inconsistencies())
                .isEqualTo(without.nodes().get(0).inconsistencies());
        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(report.refs().byNode()).isEmpty();
        assertThat(report.refs().notes()).hasSize(1);
        assertThat(report.refs().notes().get(0))
                // Whichever repository was asked first: the asks run in parallel.
                .startsWith("mirror-1: ls-remote " + node.url() + "/scm/P")
                .contains("refused (HTTP 401)", "REPO_READ")
                .doesNotContain("wrong-node-token-456");
        assertThat(primary.requests())
                .filteredOn(r -> r.path().startsWith("/scm/"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer primary-token-123"));
        assertThat(VetReports.text(report)).contains("  note: mirror-1: ls-remote ");
    }

    @Test
    void issue12AServerBehindAnInternalCaIsAskedWithTheTrustOfHttpCaFile() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(java.nio.file.Files.createDirectories(tmp.resolve("tls")));
        FakeServer primary = primary(new FakeBitbucket(farm).scm(primaryRoot));
        FakeServer node = servers.serve(FakeServer.startTls(
                tls.serverContext(), new FakeBitbucket(drifted).scm(nodeRoot).responder()));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .caFile(tls.caFile())
                .explain(50));

        assertThat(node.url().getScheme()).isEqualTo("https");
        assertThat(report.refs().notes()).isEmpty();
        assertThat(report.refs().of("mirror-1", 1).refs()).contains(new RefDiff("refs/heads/main", main1, movedMain1));
    }

    @Test
    void issue12AStalledScmIsCutByTheDeadlineAndTheVerdictsStand() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(farm).scm(primaryRoot));
        FakeServer node =
                servers.serve(FakeServer.route("/scm/", servers.hangs(), new FakeBitbucket(drifted).responder()));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .readTimeout(Duration.ofSeconds(1))
                .deadline(Duration.ofSeconds(4))
                .explain(50));

        assertThat(report.nodes().get(0).inconsistencies()).hasSize(3);
        assertThat(report.refs().byNode()).isEmpty();
        assertThat(String.join("\n", report.refs().notes()))
                .contains("mirror-1: ls-remote " + node.url() + "/scm/")
                .contains("no answer within");
    }

    @Test
    void issue12AtMostExplainMaxRepositoriesAreListedInTheOrderFound() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(farm).scm(primaryRoot));
        FakeServer node = servers.serve(new FakeBitbucket(drifted).scm(nodeRoot).responder());

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .explain(2));

        assertThat(report.refs().byNode().get("mirror-1")).containsOnlyKeys(1L, 2L);
        assertThat(report.refs().notes())
                .containsExactly("refs listed for the first 2 content inconsistencies only"
                        + " (explain.max-repositories); 1 more not listed");
        assertThat(node.requests()).noneSatisfy(r -> assertThat(r.path()).startsWith("/scm/P2/repo-3.git"));
    }

    @Test
    void issue12ARepositoryWithoutANameCannotBeAskedAndSaysSoOnce() throws Exception {
        FakeServer primary = primary(new FakeBitbucket(farm).scm(primaryRoot).rename(2, "<b>", "repo-2"));
        FakeServer node = servers.serve(new FakeBitbucket(drifted).scm(nodeRoot).responder());

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .explain(50));

        assertThat(report.refs().byNode().get("mirror-1")).containsOnlyKeys(1L, 3L);
        assertThat(report.refs().notes())
                .containsExactly("refs not listed for 1 repository without a name: Bitbucket"
                        + " serves Git by project key and slug, and the names lookup did not give them");
    }

    private static VetReport vet(TestConfigs configs) throws Exception {
        FarmvetConfig config = configs.build();
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 8)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC(), new NameLookup());
            return vet.run(vet.newProgress());
        }
    }
}

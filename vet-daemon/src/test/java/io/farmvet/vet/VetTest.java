package io.farmvet.vet;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.EXTRA;
import static io.farmvet.compare.Kind.METADATA;
import static io.farmvet.compare.Kind.MISSING;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Scope;
import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.listing.ListingLimits;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Whole vets against real loopback servers, through the real HTTP client and parser. */
class VetTest {
    private static final String ZERO40 = "0".repeat(40);

    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(300, 6).add(2, 1000, ZERO40, hash("m", 1000));

    @Test
    void shuffledNodesWithZeroHashesAreConsistent() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        // A node computed the content hash the primary has not yet: the zero placeholder means "up to date".
        Listings node = farm.with(1000, r -> new Listings.Repo(r.project(), r.id(), hash("c", 1000), r.metadata()));
        FakeServer a = servers.serve(FakeServer.json(node.shuffledJson(1)));
        FakeServer b = servers.serve(FakeServer.chunked(farm.shuffledJson(2), 7));

        VetReport report =
                vet(new TestConfigs().primary(primary.url()).node("a", a.url()).node("b", b.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(report.exitCode()).isZero();
        assertThat(report.primary().repositories()).isEqualTo(301);
        assertThat(report.nodes()).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo(VetReport.NodeStatus.VETTED);
            assertThat(n.repositories()).isEqualTo(301);
            assertThat(n.inconsistencies()).isEmpty();
        });
    }

    @Test
    void everyKindOfDriftIsFoundOnTheRightNode() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        Listings drifted = farm.with(5, r -> new Listings.Repo(r.project(), r.id(), hash("stale", 5), r.metadata()))
                .with(6, r -> new Listings.Repo(r.project(), r.id(), r.content(), hash("renamed", 6)))
                .with(7, r -> null)
                .add(3, 5000, hash("c", 5000), hash("m", 5000));
        FakeServer good = servers.serve(FakeServer.json(farm.shuffledJson(3)));
        FakeServer bad = servers.serve(FakeServer.json(drifted.shuffledJson(4)));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("good", good.url())
                .node("bad", bad.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.nodes().get(0).inconsistencies()).isEmpty();
        assertThat(report.nodes().get(1).inconsistencies())
                .containsExactly(
                        new Inconsistency(5, 6, Set.of(CONTENT)),
                        new Inconsistency(6, 1, Set.of(METADATA)),
                        new Inconsistency(7, 2, Set.of(MISSING)),
                        new Inconsistency(5000, 3, Set.of(EXTRA)));
    }

    @Test
    void projectsNoNodeMirrorsAreNotMissingUnlessTheScopeSaysSo() throws Exception {
        Listings primaryListing = new Listings()
                .add(1, 1, hash("c", 1), hash("m", 1))
                .add(2, 2, hash("c", 2), hash("m", 2))
                .add(3, 3, hash("c", 3), hash("m", 3));
        Listings nodeListing = new Listings().add(1, 1, hash("c", 1), hash("m", 1));
        FakeServer primary = servers.serve(FakeServer.json(primaryListing.json()));
        FakeServer node = servers.serve(FakeServer.json(nodeListing.json()));

        VetReport inferred = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));
        VetReport explicit = vet(
                new TestConfigs().primary(primary.url()).node("n", node.url()).scope(Scope.of(1, 3)));

        assertThat(inferred.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(explicit.nodes().get(0).inconsistencies()).containsExactly(new Inconsistency(3, 3, Set.of(MISSING)));
    }

    @Test
    void eachServerGetsItsOwnCredentials(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer node = servers.serve(FakeServer.json(farm.json()));
        Auth bearer = new Auth.Bearer(new Secret("primary-token", dir.resolve("t")));
        Auth basic = new Auth.Basic("farmvet", new Secret("s3cret", dir.resolve("p")));

        vet(new TestConfigs().primary(primary.url(), bearer).node("n", node.url(), basic));

        assertThat(primary.requests())
                .filteredOn(r -> r.path().equals("/rest/mirroring/latest/repo-hashes"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.method()).isEqualTo("GET");
                    assertThat(r.header("Authorization")).isEqualTo("Bearer primary-token");
                });
        assertThat(node.requests())
                .filteredOn(r -> r.path().equals("/rest/mirroring/latest/repo-hashes"))
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Basic ZmFybXZldDpzM2NyZXQ="));
        // The node's /status is public: it is asked without the credentials.
        assertThat(node.requests())
                .filteredOn(r -> r.path().equals("/status"))
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isNull());
    }

    @Test
    void aNodeThatCannotBeReachedFailsAloneAndTheOthersAreVetted() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer good = servers.serve(FakeServer.json(farm.json()));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("down", FakeServer.closedPort())
                .node("good", good.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCOMPLETE);
        assertThat(report.exitCode()).isEqualTo(2);
        VetReport.NodeResult down = report.nodes().get(0);
        assertThat(down.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(down.error())
                .startsWith("down: cannot connect to http://127.0.0.1:")
                .contains("nodes[0].url");
        assertThat(down.repositories()).isNull();
        assertThat(report.nodes().get(1).status()).isEqualTo(VetReport.NodeStatus.VETTED);
    }

    @Test
    void httpErrorsNameTheStatusAndWhatToCheck() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer unauthorized =
                servers.serve(FakeServer.status(401, "Unauthorized", "{\"errors\":[{\"message\":\"nope\"}]}"));
        FakeServer notFound = servers.serve(FakeServer.status(404, "Not Found", ""));
        FakeServer busy = servers.serve(FakeServer.status(503, "Service Unavailable", "starting", "Retry-After: 120"));
        FakeServer html = servers.serve(FakeServer.status(200, "OK", "<html>login</html>", "Content-Type: text/html"));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("a", unauthorized.url())
                .node("b", notFound.url())
                .node("c", busy.url())
                .node("d", html.url()));

        assertThat(report.nodes())
                .extracting(VetReport.NodeResult::error)
                .containsExactly(
                        "a: GET " + unauthorized.url()
                                + "/rest/mirroring/latest/repo-hashes answered 401 Unauthorized; the "
                                + "credentials in nodes[0].auth were refused: {\"errors\":[{\"message\":\"nope\"}]}",
                        "b: GET " + notFound.url() + "/rest/mirroring/latest/repo-hashes answered 404 Not Found; no "
                                + "repo-hashes endpoint there: is nodes[1].url the server's base URL, and is it Bitbucket "
                                + "7.11+ or a farmvet agent?",
                        "c: GET " + busy.url()
                                + "/rest/mirroring/latest/repo-hashes answered 503 Service Unavailable; the "
                                + "server is busy, asks to retry after 120: starting",
                        "d: GET " + html.url()
                                + "/rest/mirroring/latest/repo-hashes answered 200 with text/html instead of "
                                + "JSON: a login page or a proxy's error page? check nodes[3].url and nodes[3].auth");
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        FakeServer elsewhere = servers.serve(FakeServer.json(farm.json()));
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer moved = servers.serve(FakeServer.status(
                302, "Found", "", "Location: " + elsewhere.url() + "/rest/mirroring/latest/repo-hashes"));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("moved", moved.url()));

        assertThat(report.nodes().get(0).error())
                .contains("answered 302 Found; farmvet does not follow redirects")
                .contains(elsewhere.url().toString());
        assertThat(elsewhere.requests()).isEmpty();
    }

    @Test
    void aBodyCutShortDrawsNoVerdicts() throws Exception {
        String json = farm.json();
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer fixedLength = servers.serve(FakeServer.cutShort(json, json.length() / 2));
        FakeServer chunked = servers.serve(FakeServer.chunkedCutShort(json, json.length() / 3));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("a", fixedLength.url())
                .node("b", chunked.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCOMPLETE);
        assertThat(report.nodes()).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo(VetReport.NodeStatus.FAILED);
            assertThat(n.inconsistencies()).isEmpty();
            assertThat(n.error()).contains("ended early").containsPattern("after \\d+ repositories \\(");
        });
    }

    @Test
    void nodesReadAheadOfASlowPrimaryAreJudgedAsIfTheyHadWaited() throws Exception {
        // The primary stops half-way for a while, so that the nodes read ahead of its table (where this machine
        // has a core to spare), some within the budget and some past it; the verdicts must not depend on it.
        Listings primaryListing = Listings.generated(5000, 9);
        Listings drifted = primaryListing
                .with(17, r -> new Listings.Repo(r.project(), r.id(), hash("x", 17), r.metadata()))
                .with(4000, r -> new Listings.Repo(r.project(), r.id(), r.content(), hash("y", 4000)))
                .with(2500, r -> null)
                .add(3, 9000, hash("c", 9000), hash("m", 9000));
        String json = primaryListing.json();
        FakeServer slowPrimary = servers.serve(FakeServer.pauseAfter(json, json.length() / 2, Duration.ofMillis(500)));
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer a = servers.serve(FakeServer.json(drifted.shuffledJson(1)));
        FakeServer b = servers.serve(FakeServer.json(drifted.shuffledJson(2)));

        VetReport readingAhead = vet(new TestConfigs()
                .primary(slowPrimary.url())
                .node("a", a.url())
                .node("b", b.url())
                .readAhead(64 << 10));
        VetReport waiting = vet(new TestConfigs()
                .primary(primary.url())
                .node("a", a.url())
                .node("b", b.url())
                .readAhead(0));

        assertThat(readingAhead.status()).isEqualTo(VetReport.Status.INCONSISTENT);
        for (int i = 0; i < 2; i++) {
            assertThat(readingAhead.nodes().get(i).inconsistencies())
                    .isEqualTo(waiting.nodes().get(i).inconsistencies())
                    .extracting(Inconsistency::repositoryId)
                    .containsExactly(17L, 2500L, 4000L, 9000L);
            assertThat(readingAhead.nodes().get(i).repositories()).isEqualTo(5000);
        }
    }

    @Test
    void aFailedReadCountsExactlyTheRepositoriesItRead() throws Exception {
        // More repositories than the progress publishes at once, cut inside one: the message must count each
        // whole repository object before the cut, none after, whatever is still unpublished.
        String json = Listings.generated(2500, 3).json();
        int cut = json.indexOf("\"id\":2345,");
        int whole = json.substring(0, cut).split("}}", -1).length - 1;
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer node = servers.serve(FakeServer.cutShort(json, cut));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("a", node.url()));

        assertThat(whole).isGreaterThan(1024);
        assertThat(report.nodes().get(0).error()).contains("ended early after " + whole + " repositories (");
    }

    @Test
    void malformedOrDuplicatedListingsFailTheNodeWithTheSpot() throws Exception {
        String json = farm.json();
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer garbage = servers.serve(FakeServer.json(json.replace("\"id\":17,", "\"id\":17,,")));
        FakeServer duplicate = servers.serve(
                FakeServer.json(farm.add(1, 17, hash("c", 17), hash("m", 17)).json()));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("a", garbage.url())
                .node("b", duplicate.url()));

        assertThat(report.nodes().get(0).error())
                .startsWith("a: malformed repo-hashes listing:")
                .contains("byte");
        assertThat(report.nodes().get(1).error())
                .startsWith("b: malformed repo-hashes listing: repository 17 is listed twice")
                .contains("near repository 17");
    }

    @Test
    void aFailedPrimaryMeansNoVerdictsAtAll() throws Exception {
        FakeServer primary = servers.serve(FakeServer.status(500, "Server Error", "boom"));
        FakeServer node = servers.serve(FakeServer.json(farm.json()));

        VetReport report = vet(new TestConfigs().primary(primary.url()).node("n", node.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.INCOMPLETE);
        assertThat(report.primary().error())
                .isEqualTo("primary: GET " + primary.url()
                        + "/rest/mirroring/latest/repo-hashes answered 500 Server Error: boom");
        assertThat(report.primary().repositories()).isNull();
        assertThat(report.nodes().get(0).status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(report.nodes().get(0).error()).isEqualTo("n: not compared: the primary's listing could not be read");
        assertThat(report.nodes().get(0).inconsistencies()).isEmpty();
    }

    @Test
    void aSilentNodeTimesOutOnReadTimeout() throws Exception {
        String json = farm.json();
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer silent = servers.serve(FakeServer.stallAfter(json, 100, Duration.ofSeconds(10)));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("silent", silent.url())
                .readTimeout(Duration.ofMillis(300)));

        assertThat(report.nodes().get(0).error()).startsWith("silent: no data for 300ms (http.read-timeout) after ");
    }

    @Test
    void aTricklingNodeIsCutOffByTheVetDeadline() throws Exception {
        String json = farm.json();
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer trickle = servers.serve(FakeServer.drip(json, Duration.ofMillis(20)));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("trickle", trickle.url())
                .readTimeout(Duration.ofSeconds(1))
                .deadline(Duration.ofSeconds(2)));

        assertThat(report.nodes().get(0).error())
                .startsWith("trickle: vet deadline of 2s (vet.deadline) reached after ");
        assertThat(report.durationMs()).isLessThan(Duration.ofSeconds(30).toMillis());
    }

    @Test
    void aListingOverTheSizeLimitIsRefused() throws Exception {
        String json = farm.json();
        FakeServer primary = servers.serve(FakeServer.json(json));
        FakeServer announced = servers.serve(FakeServer.json(json + " ".repeat(10_000)));
        FakeServer streamed = servers.serve(FakeServer.chunked(json + " ".repeat(10_000), 4096));

        VetReport report = vet(new TestConfigs()
                .primary(primary.url())
                .node("announced", announced.url())
                .node("streamed", streamed.url())
                .limits(ListingLimits.DEFAULTS.withMaxDocumentBytes(json.length() + 100)));

        assertThat(report.nodes().get(0).error()).contains("more than listing.max-size");
        assertThat(report.nodes().get(1).error())
                .startsWith("streamed: repo-hashes listing too large: ")
                .doesNotContain("malformed")
                .contains("raise listing.max-size");
    }

    private static VetReport vet(TestConfigs configs) throws Exception {
        return VetReports.vet(configs);
    }
}

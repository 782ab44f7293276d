package io.farmvet.vet;

import static io.farmvet.testing.FakeFarm.resyncs;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.report.JsonReport;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The second look per repository (issue 12 section 2), the real clients against a fake Bitbucket primary
 * ({@code repos/{id}}) and a fake mirror node ({@code repoSyncStatus}) over loopback: small drift is confirmed
 * without either whole listing again, and every doubt (a larger drift, an endpoint not offered, a primary that moved,
 * an answer for another repository, an answer too late) ends in the listings or in no repair, never a wrong one.
 */
class PerRepositoryConfirmTest {

    @TempDir
    Path state;

    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(300, 4);
    /** Repository 5 lost a push on the node, repository 7 was never cloned there. */
    private final Listings drifted = farm.with(
                    5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()))
            .with(7, r -> null);

    @Test
    void smallDriftIsConfirmedPerRepositoryWithoutEitherListingAgain() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
        assertThat(resyncs(node)).hasSize(2);
        assertThat(FakeBitbucket.listingRequests(primary)).isEqualTo(1);
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(1);
        assertThat(FakeBitbucket.repositoryRequests(primary)).isEqualTo(2);
        // Repository 5's 200 shows the endpoint is there, so repository 7's 404 means "not on the node".
        assertThat(FakeBitbucket.Node.repoSyncStatusRequests(node)).isEqualTo(2);
        SecondLook look = report.nodes().get(0).secondLook();
        assertThat(look.way()).isEqualTo(SecondLook.Way.PER_REPOSITORY);
        assertThat(look.reason()).isNull();
        assertThat(look.requests()).isEqualTo(4);
        assertThat(look.bytes()).isPositive().isLessThan(report.primary().bytes() / 10);

        JsonNode confirm = json(report).get("nodes").get(0).get("confirm");
        assertThat(confirm.get("way").asText()).isEqualTo("per-repository");
        assertThat(confirm.get("reason").isNull()).isTrue();
        assertThat(confirm.get("requests").asLong()).isEqualTo(4);
        assertThat(confirm.get("bytes").asLong()).isEqualTo(look.bytes());
        assertThat(VetReports.text(report)).contains("    looked again per repository (4 requests, ");
    }

    @Test
    void onlyMissingRepositoriesAreConfirmedAgainstAControlTheNodeHasAlike() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node =
                servers.serve(FakeBitbucket.node(farm.with(7, r -> null)).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(sentRepairs(report)).containsExactly(tuple(7L, "sent"));
        assertThat(FakeBitbucket.Node.repoSyncStatusRequests(node)).isEqualTo(2);
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(1);
        assertThat(report.nodes().get(0).secondLook().way()).isEqualTo(SecondLook.Way.PER_REPOSITORY);
    }

    @Test
    void driftLargerThanTheMaximumIsConfirmedThroughTheListings() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());

        VetReport report =
                vet(primary, node, repair().confirmPerRepositoryMax(1).build());

        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
        assertThat(FakeBitbucket.listingRequests(primary)).isEqualTo(2);
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
        assertThat(FakeBitbucket.repositoryRequests(primary)).isZero();
        SecondLook look = report.nodes().get(0).secondLook();
        assertThat(look.way()).isEqualTo(SecondLook.Way.LISTINGS);
        assertThat(look.reason()).isEqualTo("2 drifted repositories, more than repair.confirm-per-repository-max (1)");
        assertThat(look.bytes()).isGreaterThan(report.primary().bytes());
        assertThat(json(report).get("nodes").get(0).get("confirm").get("way").asText())
                .isEqualTo("listings");
        assertThat(VetReports.text(report))
                .contains("    looked again through the listings (2 requests, ")
                .contains("): 2 drifted repositories, more than repair.confirm-per-repository-max (1)");
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 404, 405})
    void aPrimaryWithoutReposByIdFallsBackToTheListings(int status) throws Exception {
        FakeServer primary =
                servers.serve(new FakeBitbucket(farm).repositoryStatus(status).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
        assertThat(FakeBitbucket.listingRequests(primary)).isEqualTo(2);
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
        SecondLook look = report.nodes().get(0).secondLook();
        assertThat(look.way()).isEqualTo(SecondLook.Way.LISTINGS);
        assertThat(look.reason()).contains("HTTP " + status);
        if (status == 404) {
            // Every id answered 404, the control too: a missing endpoint, not two deleted repositories.
            assertThat(look.reason()).contains("may mean a missing endpoint");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 404, 405})
    void aNodeWithoutRepoSyncStatusFallsBackToTheListings(int status) throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(
                FakeBitbucket.node(drifted).supportInfoStatus(status).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
        SecondLook look = report.nodes().get(0).secondLook();
        assertThat(look.way()).isEqualTo(SecondLook.Way.LISTINGS);
        // A 404 for repository 5, which the node listed, is not "not on the node" whichever is asked first.
        assertThat(look.reason()).contains(status == 404 ? "answered 404 for repository" : "HTTP " + status);
        assertThat(look.requests()).isGreaterThan(2);
    }

    @Test
    void aRepositoryThePrimaryChangedOrDeletedBetweenTheLooksIsNotRepaired() throws Exception {
        Listings twoStale = drifted.with(9, r -> new Listings.Repo(r.project(), 9, hash("stale", 9), r.metadata()));
        FakeServer primary = servers.serve(new FakeBitbucket(farm)
                .contentAfterListing(5, hash("pushed", 5))
                .goneAfterListing(9)
                .responder());
        FakeServer node = servers.serve(FakeBitbucket.node(twoStale).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(resyncs(node))
                .extracting(FakeServer.Request::body)
                .containsExactly(
                        "{\"repoId\":7,\"projectId\":4,\"kinds\":[\"missing\"],\"projectKey\":\"P4\",\"slug\":\"repo-7\"}");
        String inFlight = Confirmation.InFlightReason.PRIMARY_CHANGED.detail();
        assertThat(report.nodes().get(0).repairs())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName(), RepairEntry::detail)
                .containsExactly(
                        tuple(5L, "skipped", inFlight),
                        tuple(7L, "sent", "HTTP 202: {\"state\":\"queued\"}"),
                        tuple(9L, "skipped", inFlight));
        assertThat(report.nodes().get(0).secondLook().way()).isEqualTo(SecondLook.Way.PER_REPOSITORY);
    }

    @Test
    void anAnswerForAnotherRepositoryConfirmsNothing() throws Exception {
        Listings stale = farm.with(5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()))
                .with(9, r -> new Listings.Repo(r.project(), 9, hash("stale", 9), r.metadata()));
        FakeServer primary =
                servers.serve(new FakeBitbucket(farm).wrongRepositoryFor(5).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(stale).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(resyncs(node))
                .extracting(FakeServer.Request::body)
                .singleElement()
                .satisfies(body -> assertThat(body).startsWith("{\"repoId\":9,"));
        assertThat(report.nodes().get(0).repairs())
                .filteredOn(e -> e.repoId() == 5)
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.outcome().wireName()).isEqualTo("skipped");
                    assertThat(e.detail()).startsWith("not confirmed: ").contains("is for repository 6, not 5");
                });
        assertThat(FakeBitbucket.listingRequests(primary)).isEqualTo(1);
        assertThat(report.nodes().get(0).secondLook().way()).isEqualTo(SecondLook.Way.PER_REPOSITORY);
    }

    @Test
    void aNodeWhoseEveryAnswerIsForAnotherRepositoryIsLeftToTheListings() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        Listings stale = farm.with(5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()));
        FakeServer node =
                servers.serve(FakeBitbucket.node(stale).wrongRepository(1).responder());

        VetReport report = vet(primary, node, repair().build());

        // Nothing of the node's can be believed: the listings decide, as they did before per-repository looks.
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
        SecondLook look = report.nodes().get(0).secondLook();
        assertThat(look.way()).isEqualTo(SecondLook.Way.LISTINGS);
        assertThat(look.reason())
                .startsWith("no answer of the node's repoSyncStatus could be used: not confirmed: ")
                .contains("is for repository 6, not 5");
        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"));
    }

    @Test
    void aControlForAnotherRepositoryLeavesTheNotFoundToTheListings() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(
                FakeBitbucket.node(farm.with(7, r -> null)).wrongRepository(1).responder());

        VetReport report = vet(primary, node, repair().build());

        // The node's 404 for repository 7 means something only if its answer for a repository it has is right.
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
        assertThat(report.nodes().get(0).secondLook().reason()).contains("is for repository 2, not 1");
        assertThat(sentRepairs(report)).containsExactly(tuple(7L, "sent"));
    }

    @Test
    void aNotFoundForARepositoryTheNodeListedLeavesItToTheListings() throws Exception {
        FakeServer primary =
                servers.serve(new FakeBitbucket(farm).rename(5, "P2", "renamed").responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());

        VetReport report = vet(primary, node, repair().build());

        // Renamed on the primary, not yet on the node: asked by its new name the node says 404.
        assertThat(report.nodes().get(0).secondLook().reason())
                .contains("answered 404 for repository 5 (P2/renamed), which its listing has");
        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
    }

    @Test
    void aPrimaryWhoseEveryAnswerIsForAnotherRepositoryIsLeftToTheListings() throws Exception {
        FakeServer primary =
                servers.serve(new FakeBitbucket(farm).repositoryFor(1).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(FakeBitbucket.Node.repoSyncStatusRequests(node)).isZero();
        assertThat(report.nodes().get(0).secondLook().reason())
                .startsWith("no answer of the primary's repos/{id} could be used: not confirmed: ")
                .contains("is for repository");
        assertThat(sentRepairs(report)).containsExactly(tuple(5L, "sent"), tuple(7L, "sent"));
    }

    @Test
    void aMalformedAnswerConfirmsNothing() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(
                FakeBitbucket.node(drifted).garbage("{\"hashes\":\"yes\"}").responder());

        VetReport report = vet(primary, node, repair().build());

        assertThat(report.nodes().get(0).secondLook().reason())
                .startsWith("no answer of the node's repoSyncStatus could be used: not confirmed: ");
        assertThat(FakeBitbucket.listingRequests(node)).isEqualTo(2);
    }

    @Test
    void anAnswerStalledPastTheDeadlineConfirmsNothingAndTheVetEnds() throws Exception {
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(
                FakeBitbucket.node(drifted).stall(Duration.ofSeconds(60)).responder());

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .deadline(Duration.ofSeconds(3))
                .readTimeout(Duration.ofSeconds(30))
                .repair(repair().build(), state));

        assertThat(resyncs(node)).isEmpty();
        assertThat(report.nodes().get(0).repairs()).hasSize(2).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("skipped");
            assertThat(e.detail())
                    .startsWith("not confirmed: the per-repository second look did not end within vet.deadline");
        });
        assertThat(report.nodes().get(0).secondLook().way()).isEqualTo(SecondLook.Way.PER_REPOSITORY);
    }

    private static JsonNode json(VetReport report) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(report, out);
        return new ObjectMapper().readTree(out.toByteArray());
    }

    private VetReport vet(FakeServer primary, FakeServer node, RepairSettings repair) throws Exception {
        return VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", node.url())
                .repair(repair, state));
    }

    private static List<Tuple> sentRepairs(VetReport report) {
        return report.nodes().get(0).repairs().stream()
                .map(e -> tuple(e.repoId(), e.outcome().wireName()))
                .toList();
    }

    private static RepairSettings.Builder repair() {
        // A settle delay short enough for a test, long enough to be a second look.
        return RepairSettings.builder().mode(RepairMode.AGENT).settle(Duration.ofMillis(20));
    }
}

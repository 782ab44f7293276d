package io.farmvet.vet;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.fetch.FarmNodesProbe;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 12, farm members: each node's farmNodes, through the real client, against loopback fake nodes. */
class FarmMembersVetTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(20, 3);

    /** A Bitbucket mirror node: /status, farmNodes answered by {@code members}, the listing on every other path. */
    private FakeServer node(FakeServer.Responder members) throws Exception {
        return servers.serve(FakeServer.node("SYNCHRONIZED", members, FakeServer.json(farm.json())));
    }

    @Test
    void aForgottenMemberAndANodeTheFarmDoesNotListAreReported() throws Exception {
        String members = FakeBitbucket.farmNodes("mirror-1", "MIRROR-2", "bbm-3", "mirror-4");
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer one = node(FakeServer.json(members));
        FakeServer two = node(FakeServer.json(members));
        FakeServer three = node(FakeServer.json(members));
        FakeServer five = node(FakeServer.json(FakeBitbucket.farmNodes("mirror-5")));
        // mirror-5 is a farm of its own: its list names only itself, so its own member is matched
        // and the others' lists do not name it.
        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", one.url())
                .node("mirror-2", two.url())
                .node("mirror-3", three.url(), "bbm-3")
                .node("mirror-5", five.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        FarmMembership membership = report.members();
        assertThat(membership.checked()).isTrue();
        assertThat(membership.unvettedMembers())
                .containsExactly(new FarmMembership.UnvettedMember(
                        "mirror-4", "10.0.0.4:5701", List.of("mirror-1", "mirror-2", "mirror-3")));
        assertThat(membership.unlistedNodes()).isEmpty();
        assertThat(membership.notes()).isEmpty();
        assertThat(one.requests()).anySatisfy(r -> assertThat(r.path()).isEqualTo("/" + FarmNodesProbe.PATH));

        String json = VetReports.json(report);
        assertThat(json)
                .contains(
                        "\"unvettedMembers\" : [ {\n    \"name\" : \"mirror-4\",\n    \"address\" : \"10.0.0.4:5701\"")
                .contains("\"unlistedNodes\" : [ ]");
        assertThat(VetReports.text(report))
                .contains("  NOT VETTED: farm member mirror-4 (10.0.0.4:5701), listed by mirror-1, mirror-2, mirror-3,"
                        + " is not under nodes");
    }

    @Test
    void aConfiguredNodeNoListNamesIsReported() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer one = node(FakeServer.json(FakeBitbucket.farmNodes("mirror-1", "mirror-2")));
        FakeServer renamed = node(FakeServer.json(FakeBitbucket.farmNodes("mirror-1", "mirror-2")));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("mirror-1", one.url())
                .node("old-name", renamed.url()));

        assertThat(report.members().unlistedNodes()).containsExactly("old-name");
        assertThat(report.members().unvettedMembers())
                .extracting(FarmMembership.UnvettedMember::name)
                .containsExactly("mirror-2");
        assertThat(VetReports.text(report))
                .contains("  NOT IN THE FARM: old-name is in no node's farm member list (farmNodes)");
    }

    @Test
    void failedFarmNodesCallsAreOneNoteEachAndTheVerdictsStand() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer refused = node(FakeServer.status(401, "Unauthorized", "{\"errors\":[]}"));
        FakeServer agent = node(FakeServer.status(404, "Not Found", "{\"error\":\"no such endpoint\"}"));
        FakeServer malformed = node(FakeServer.json("[{\"name\":\"mirror-1\","));
        FakeServer slow = node(servers.hangs());
        FakeServer good = node(FakeServer.json(FakeBitbucket.farmNodes("good", "refused", "malformed", "slow")));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("refused", refused.url())
                .node("agent", agent.url())
                .node("malformed", malformed.url())
                .node("slow", slow.url())
                .node("good", good.url())
                // Longer than the grace, so that the grace is what cuts the slow answer, not the read timeout.
                .readTimeout(Duration.ofSeconds(20)));

        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(report.nodes()).allSatisfy(n -> assertThat(n.failed()).isFalse());
        FarmMembership membership = report.members();
        assertThat(membership.notes()).hasSize(3);
        assertThat(membership.notes().get(0))
                .startsWith("refused: " + refused.url() + "/" + FarmNodesProbe.PATH + " answered 401")
                .contains("nodes[0].auth needs ADMIN");
        assertThat(membership.notes().get(1)).startsWith("malformed: ").contains("malformed JSON");
        assertThat(membership.notes().get(2))
                .startsWith("slow: ")
                .contains("no answer within 5000 ms after the verdicts");
        // The agent (404) has no member list and is not expected in one.
        assertThat(membership.unlistedNodes()).isEmpty();
        assertThat(membership.unvettedMembers()).isEmpty();
        assertThat(VetReports.json(report)).contains("\"memberNotes\" : [ \"refused: ");
    }

    @Test
    void anEndlessAnswerIsCutAtTheBound() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer endless = node((request, out) -> {
            out.write(
                    ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
            byte[] member = ("{\"name\":\"x\"},").getBytes(StandardCharsets.US_ASCII);
            while (true) {
                out.write(member);
            }
        });

        VetReport report =
                VetReports.vet(new TestConfigs().primary(primary.url()).node("endless", endless.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(report.members().checked()).isFalse();
        assertThat(report.members().notes()).singleElement().asString().contains("answered more than 1.0 MB");
        assertThat(VetReports.json(report)).contains("\"unvettedMembers\" : null");
    }

    @Test
    void aFarmOfAgentsHasNoMemberListAndNothingToReport() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer agent = node(FakeServer.status(404, "Not Found", "{}"));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("agent", agent.url())
                .deadline(Duration.ofSeconds(30)));

        assertThat(report.members()).isEqualTo(FarmMembership.NOT_CHECKED);
        // The primary here is a plain fake, so the names lookup leaves its own note on the primary; none is the
        // members'.
        assertThat(report.members().notes()).isEmpty();
        assertThat(VetReports.text(report))
                .doesNotContain("NOT VETTED")
                .doesNotContain("NOT IN THE FARM")
                .doesNotContain("farmNodes");
    }
}

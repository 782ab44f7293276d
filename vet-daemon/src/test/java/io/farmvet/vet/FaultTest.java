package io.farmvet.vet;

import static io.farmvet.testing.FakeFarm.RESYNC_PATH;
import static io.farmvet.testing.FakeFarm.resyncs;
import static io.farmvet.testing.FakeFarm.syncedNode;
import static io.farmvet.testing.Listings.hash;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Scope;
import io.farmvet.config.Auth;
import io.farmvet.config.Secret;
import io.farmvet.listing.ListingLimits;
import io.farmvet.metrics.FarmMetrics;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.repair.ledger.RepairRecord;
import io.farmvet.repair.ledger.RepairState;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.PromText;
import io.farmvet.testing.SelfSignedTls;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6: faults of the primary and of a node that {@link VetTest}, {@link VetRepairTest} and
 * {@code TlsFetchTest} do not already cover, each against a real loopback server that misbehaves on purpose. In
 * every case the report says what happened, the metrics count it, and nothing is repaired on the strength of a
 * listing that did not arrive whole: repairs are on ({@code repair.mode: agent}) and a drifted node stands ready
 * to accept resyncs, so a wrong repair would show as a request at that node.
 */
class FaultTest {
    private static final String LISTING = "/rest/mirroring/latest/repo-hashes";
    private static final Listings FARM = Listings.generated(300, 4);
    private static final String JSON = FARM.json();
    /** Repository 5 lost a push on the drifted node: one real, repairable inconsistency. */
    private static final Listings DRIFTED =
            FARM.with(5, r -> new Listings.Repo(r.project(), 5, hash("stale", 5), r.metadata()));

    @TempDir
    Path state;

    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    /** A primary fault: how the server misbehaves, and what the primary's error must say (url filled in). */
    static Stream<Arguments> primaryFaults() {
        String half = JSON.substring(0, JSON.length() / 2);
        return Stream.of(
                fault(
                        "connection reset mid-stream",
                        FakeServer.resetAfter(JSON, JSON.length() / 2),
                        url -> "primary: reading the listing failed after "),
                fault(
                        "malformed JSON at the start",
                        FakeServer.json("{projects:[]}"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "malformed JSON in the middle",
                        FakeServer.json(JSON.replace("\"id\":17,", "\"id\":17,,")),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "malformed JSON at the end",
                        FakeServer.json(JSON.substring(0, JSON.length() - 1) + "]"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "trailing data after the document",
                        FakeServer.json(JSON + "{}"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "a complete HTTP body holding half a document",
                        FakeServer.json(half),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "valid JSON of the wrong shape: an array",
                        FakeServer.json("[]"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "valid JSON of the wrong shape: projects an object",
                        FakeServer.json("{\"projects\":{}}"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "valid JSON of the wrong shape: Bitbucket's paged REST envelope",
                        FakeServer.json("{\"size\":0,\"limit\":25,\"isLastPage\":true,\"values\":[],\"start\":0}"),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "valid JSON of the wrong shape: an id that is a string",
                        FakeServer.json(JSON.replace("{\"id\":17,", "{\"id\":\"17\",")),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "a hash that is not hex",
                        FakeServer.json(JSON.replaceFirst("\"content\":\"[0-9a-f]{4}", "\"content\":\"zzzz")),
                        url -> "primary: malformed repo-hashes listing: "),
                fault(
                        "a duplicated repository id",
                        FakeServer.json(Listings.generated(300, 4)
                                .add(1, 17, hash("c", 17), hash("m", 17))
                                .json()),
                        url -> "primary: malformed repo-hashes listing: repository 17 is listed twice"),
                fault(
                        "a Content-Length body cut short",
                        FakeServer.cutShort(JSON, JSON.length() / 2),
                        url -> "primary: repo-hashes stream ended early after "),
                fault(
                        "a chunked body cut short",
                        FakeServer.chunkedCutShort(JSON, JSON.length() / 3),
                        url -> "primary: repo-hashes stream ended early after "),
                fault(
                        "a listing larger than listing.max-size, announced",
                        FakeServer.json(JSON + " ".repeat(10_000)),
                        url -> "primary: GET " + url + LISTING + " announces "),
                fault(
                        "a listing larger than listing.max-size, streamed",
                        FakeServer.chunked(JSON + " ".repeat(10_000), 4096),
                        url -> "primary: repo-hashes listing too large: the document is larger than the limit of "),
                fault(
                        "silence after the first bytes",
                        FakeServer.stallAfter(JSON, 100, Duration.ofSeconds(20)),
                        url -> "primary: no data for 1s (http.read-timeout) after "),
                fault(
                        "one byte at a time, never done",
                        FakeServer.drip(JSON, Duration.ofMillis(50)),
                        url -> "primary: vet deadline of 3s (vet.deadline) reached after "),
                fault(
                        "401",
                        FakeServer.status(401, "Unauthorized", ""),
                        url -> "primary: GET " + url + LISTING + " answered 401 Unauthorized; the credentials in"
                                + " primary.auth were refused"),
                fault(
                        "404",
                        FakeServer.status(404, "Not Found", ""),
                        url -> "primary: GET " + url + LISTING + " answered 404 Not Found; no repo-hashes endpoint"
                                + " there"),
                fault(
                        "403",
                        FakeServer.status(403, "Forbidden", "{\"errors\":[{\"message\":\"not an admin\"}]}"),
                        url -> "primary: GET " + url + LISTING + " answered 403 Forbidden; the account of primary.auth"
                                + " may not read repo-hashes (Bitbucket requires a system admin):"
                                + " {\"errors\":[{\"message\":\"not an admin\"}]}"),
                fault(
                        "429 with Retry-After",
                        FakeServer.status(429, "Too Many Requests", "slow down", "Retry-After: 120"),
                        url -> "primary: GET " + url + LISTING
                                + " answered 429 Too Many Requests; the server is busy, asks to retry after 120:"
                                + " slow down"),
                fault(
                        "500",
                        FakeServer.status(500, "Internal Server Error", "boom"),
                        url -> "primary: GET " + url + LISTING + " answered 500 Internal Server Error: boom"),
                fault(
                        "503 with Retry-After",
                        FakeServer.status(503, "Service Unavailable", "starting", "Retry-After: 30"),
                        url -> "primary: GET " + url + LISTING
                                + " answered 503 Service Unavailable; the server is busy, asks to retry after 30:"
                                + " starting"));
    }

    private static Arguments fault(String name, FakeServer.Responder responder, Function<String, String> error) {
        return Arguments.of(name, responder, error);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("primaryFaults")
    void aPrimaryFaultDrawsNoVerdictsRepairsNothingAndIsCounted(
            String name, FakeServer.Responder responder, Function<String, String> error) throws Exception {
        FakeServer primary = servers.serve(responder);
        FakeServer node = servers.serve(syncedNode(DRIFTED));

        Measured vet = measured(faultConfig().primary(primary.url()).node("n", node.url()));

        assertThat(vet.report.status()).isEqualTo(VetReport.Status.INCOMPLETE);
        assertThat(vet.report.exitCode()).isEqualTo(2);
        assertThat(vet.report.primary().error())
                .startsWith(error.apply(primary.url().toString()));
        assertThat(vet.report.primary().repositories()).isNull();
        assertThat(vet.report.nodes()).singleElement().satisfies(n -> {
            assertThat(n.status()).isEqualTo(VetReport.NodeStatus.FAILED);
            assertThat(n.error()).isEqualTo("n: not compared: the primary's listing could not be read");
            assertThat(n.inconsistencies()).isEmpty();
            assertThat(n.repairs()).isEmpty();
        });
        // A listing fetch is not retried within a vet: the next vet is the retry.
        assertThat(primary.requests()).filteredOn(r -> r.path().equals(LISTING)).hasSize(1);
        assertThat(resyncs(node)).isEmpty();
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "primary"))
                .isZero();
        assertThat(vet.metrics.value("farmvet_vet_last_outcome", "outcome", "incomplete"))
                .isEqualTo(1);
        assertThat(vet.metrics.value("farmvet_repairs_total", "node", "n", "outcome", "sent"))
                .isZero();
    }

    /**
     * Timeouts short enough for a test, a size limit just above the farm's listing, repairs on: the same config
     * for every fault, so that only the server's behaviour differs.
     */
    private TestConfigs faultConfig() {
        return new TestConfigs()
                .readTimeout(Duration.ofSeconds(1))
                .deadline(Duration.ofSeconds(3))
                .limits(ListingLimits.DEFAULTS.withMaxDocumentBytes(JSON.length() + 1_000))
                .repair(agent().build(), state);
    }

    @Test
    void aPrimaryThatRefusesConnectionsDrawsNoVerdictsAndRepairsNothing() throws Exception {
        FakeServer node = servers.serve(syncedNode(DRIFTED));

        Measured vet = measured(faultConfig().primary(FakeServer.closedPort()).node("n", node.url()));

        assertThat(vet.report.primary().error())
                .startsWith("primary: cannot connect to http://127.0.0.1:")
                .contains("primary.url");
        assertThat(vet.report.nodes().get(0).error())
                .isEqualTo("n: not compared: the primary's listing could not be read");
        assertThat(resyncs(node)).isEmpty();
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "primary"))
                .isZero();
    }

    /** Node faults that {@link VetTest} does not already cover (it has refused, 401, 404, 503, cut bodies...). */
    static Stream<Arguments> nodeFaults() {
        String drifted = DRIFTED.json();
        return Stream.of(
                fault(
                        "403",
                        FakeServer.status(403, "Forbidden", "no"),
                        url -> "n: GET " + url + LISTING + " answered 403 Forbidden; the account of nodes[0].auth"),
                fault(
                        "429 with Retry-After",
                        FakeServer.status(429, "Too Many Requests", "", "Retry-After: 60"),
                        url -> "n: GET " + url + LISTING
                                + " answered 429 Too Many Requests; the server is busy, asks to retry after 60"),
                fault(
                        "500",
                        FakeServer.status(500, "Internal Server Error", "boom"),
                        url -> "n: GET " + url + LISTING + " answered 500 Internal Server Error: boom"),
                fault(
                        "malformed JSON at the start",
                        FakeServer.json("{projects:[]}"),
                        url -> "n: malformed repo-hashes listing: malformed JSON: "),
                fault(
                        "malformed JSON at the end",
                        FakeServer.json(drifted.substring(0, drifted.length() - 1) + "]"),
                        url -> "n: malformed repo-hashes listing: malformed JSON: "),
                fault(
                        "valid JSON of the wrong shape",
                        FakeServer.json("{\"projects\":[{\"id\":1,\"repositories\":{}}]}"),
                        url -> "n: malformed repo-hashes listing: "),
                fault(
                        "a hash that is not hex",
                        FakeServer.json(drifted.replaceFirst("\"content\":\"[0-9a-f]{4}", "\"content\":\"zzzz")),
                        url -> "n: malformed repo-hashes listing: "),
                fault(
                        "text that is not UTF-8 (read as UTF-32)",
                        FakeServer.json("\u0000\u0000\u0000" + drifted),
                        url -> "n: malformed repo-hashes listing: not UTF-8 JSON text: "),
                fault(
                        "one byte at a time, never done",
                        FakeServer.drip(drifted, Duration.ofMillis(50)),
                        url -> "n: vet deadline of 3s (vet.deadline) reached after "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeFaults")
    void aNodeFaultFailsThatNodeAloneRepairsNothingThereAndIsCounted(
            String name, FakeServer.Responder responder, Function<String, String> error) throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        FakeServer faulty = servers.serve(syncedNode(responder));
        FakeServer good = servers.serve(syncedNode(DRIFTED));

        Measured vet = measured(
                faultConfig().primary(primary.url()).node("n", faulty.url()).node("good", good.url()));

        VetReport.NodeResult failed = vet.report.nodes().get(0);
        assertThat(failed.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(failed.error()).startsWith(error.apply(faulty.url().toString()));
        assertThat(failed.inconsistencies()).isEmpty();
        assertThat(failed.repairs()).isEmpty();
        assertThat(resyncs(faulty)).isEmpty();
        assertThat(vet.report.nodes().get(1).status()).isEqualTo(VetReport.NodeStatus.VETTED);
        assertThat(resyncs(good)).hasSize(1);
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "n")).isZero();
        assertThat(vet.metrics.value("farmvet_nodes_failed")).isEqualTo(1);
    }

    @Test
    void aNodeWhoseConnectionIsResetMidStreamFailsAloneAndGetsNothing() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        String drifted = DRIFTED.json();
        FakeServer reset = servers.serve(syncedNode(FakeServer.resetAfter(drifted, drifted.length() / 2)));
        FakeServer good = servers.serve(syncedNode(DRIFTED));

        Measured vet = measured(new TestConfigs()
                .primary(primary.url())
                .node("reset", reset.url())
                .node("good", good.url())
                .repair(agent().build(), state));

        VetReport.NodeResult failed = vet.report.nodes().get(0);
        assertThat(failed.status()).isEqualTo(VetReport.NodeStatus.FAILED);
        assertThat(failed.error())
                .startsWith("reset: reading the listing failed after ")
                .containsPattern("after \\d+ repositories \\(")
                .contains("Connection reset");
        assertThat(failed.inconsistencies()).isEmpty();
        assertThat(failed.repairs()).isEmpty();
        assertThat(resyncs(reset)).isEmpty();
        // The other node's drift is still found and repaired.
        assertThat(resyncs(good)).hasSize(1);
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "reset"))
                .isZero();
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "good")).isEqualTo(1);
        assertThat(vet.metrics.value("farmvet_nodes_failed")).isEqualTo(1);
    }

    @Test
    void aPrimaryRedirectToAnotherHostIsNotFollowedAndTheCredentialsStayHome(@TempDir Path secrets) throws Exception {
        FakeServer elsewhere = servers.serve(FakeServer.json(JSON));
        String otherHost = "http://localhost:" + elsewhere.url().getPort() + LISTING;
        FakeServer primary = servers.serve(FakeServer.status(302, "Found", "", "Location: " + otherHost));
        FakeServer node = servers.serve(syncedNode(DRIFTED));
        Auth bearer = new Auth.Bearer(new Secret("primary-token-do-not-leak", secrets.resolve("t")));

        Measured vet = measured(new TestConfigs()
                .primary(primary.url(), bearer)
                .node("n", node.url())
                .repair(agent().build(), state));

        assertThat(vet.report.primary().error())
                .isEqualTo("primary: GET " + primary.url() + LISTING + " answered 302 Found; farmvet does not follow"
                        + " redirects (the credentials would go along): set primary.url to the address it redirects"
                        + " to, " + otherHost);
        assertThat(elsewhere.requests()).isEmpty();
        assertThat(resyncs(node)).isEmpty();
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "primary"))
                .isZero();
    }

    @Test
    void aPrimaryWhoseCertificateDoesNotVerifyIsNotRead(@TempDir Path dir) throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir);
        FakeServer primary = servers.serve(FakeServer.startTls(tls.serverContext(), FakeServer.json(JSON)));
        FakeServer node = servers.serve(syncedNode(DRIFTED));

        Measured vet = measured(
                new TestConfigs().primary(primary.url()).node("n", node.url()).repair(agent().build(), state));

        assertThat(vet.report.primary().error())
                .startsWith("primary: TLS with 127.0.0.1 failed: ")
                .endsWith("add that CA to http.ca-file");
        // The handshake failed before any request was written: the server saw none.
        assertThat(primary.requests()).isEmpty();
        assertThat(resyncs(node)).isEmpty();
        assertThat(vet.metrics.value("farmvet_listing_success", "node", "primary"))
                .isZero();
    }

    /**
     * A node that lost its data (or answers for an empty mirror) but says SYNCHRONIZED. With {@code scope: all}
     * every repository of the primary is missing there: the safety valve refuses the lot. With
     * {@code scope: inferred} an empty node infers no project at all, so on its own it is consistent, and beside
     * a healthy node its missing repositories again meet the safety valve.
     */
    @Test
    void anEmptyButValidListingWithScopeAllMeetsTheSafetyValve() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        FakeServer empty = servers.serve(syncedNode(FakeServer.json("{\"projects\":[]}")));

        Measured vet = measured(new TestConfigs()
                .primary(primary.url())
                .node("empty", empty.url())
                .scope(Scope.ALL)
                .repair(agent().build(), state));

        VetReport.NodeResult node = vet.report.nodes().get(0);
        assertThat(node.state()).isEqualTo("SYNCHRONIZED");
        assertThat(node.repositories()).isZero();
        assertThat(node.inconsistencies()).hasSize(300);
        assertThat(node.repairs()).hasSize(300).allSatisfy(e -> {
            assertThat(e.outcome().wireName()).isEqualTo("refused");
            assertThat(e.detail()).isEqualTo("mass divergence (300 of 300)");
        });
        assertThat(resyncs(empty)).isEmpty();
        assertThat(vet.metrics.value("farmvet_repairs_total", "node", "empty", "outcome", "refused"))
                .isEqualTo(300);
        assertThat(vet.metrics.value("farmvet_repairs_total", "node", "empty", "outcome", "sent"))
                .isZero();
    }

    @Test
    void anEmptyButValidListingWithInferredScopeInfersNothingMissing() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        FakeServer empty = servers.serve(syncedNode(FakeServer.json("{\"projects\":[]}")));
        FakeServer healthy = servers.serve(syncedNode(FARM));

        VetReport alone = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("empty", empty.url())
                .repair(agent().build(), state));
        VetReport beside = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("empty", empty.url())
                .node("healthy", healthy.url())
                .repair(agent().build(), state));

        assertThat(alone.status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(alone.nodes().get(0).repairs()).isEmpty();
        // Beside a node that mirrors every project, the empty node is missing all 300: refused, not sent.
        assertThat(beside.nodes().get(0).repairs())
                .hasSize(300)
                .extracting(e -> e.outcome().wireName())
                .containsOnly("refused");
        assertThat(resyncs(empty)).isEmpty();
        assertThat(resyncs(healthy)).isEmpty();
    }

    @Test
    void aResyncEndpointThatNeverAnswersIsRetriedWithinBoundsThenFailed() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        // The node accepts the connection and reads the request, then says nothing for longer than repair.timeout.
        FakeServer node = servers.serve(FakeServer.node(
                "SYNCHRONIZED", FakeServer.route(RESYNC_PATH, servers.hangs(), FakeServer.json(DRIFTED.json()))));

        Measured vet = measured(new TestConfigs()
                .primary(primary.url())
                .node("n", node.url())
                .repair(
                        agent().timeout(Duration.ofMillis(300))
                                .retries(2)
                                .backoffInitial(Duration.ofMillis(10))
                                .backoffMax(Duration.ofMillis(20))
                                .build(),
                        state));

        assertThat(resyncs(node)).hasSize(3);
        RepairEntry entry = vet.report.nodes().get(0).repairs().get(0);
        assertThat(vet.report.nodes().get(0).repairs()).hasSize(1);
        assertThat(entry.outcome().wireName()).isEqualTo("failed");
        assertThat(entry.detail())
                .isEqualTo("no answer within repair.timeout: Read timed out (gave up after 3 attempts)");
        assertThat(vet.metrics.value("farmvet_repairs_total", "node", "n", "outcome", "failed"))
                .isEqualTo(1);
        // The ledger keeps it as failed, not pending: the next vet may ask again.
        try (RepairLedger ledger = RepairLedger.open(state)) {
            assertThat(ledger.pending("n")).isEmpty();
            assertThat(ledger.repairs("n")).singleElement().satisfies((RepairRecord r) -> {
                assertThat(r.repositoryId()).isEqualTo(5);
                assertThat(r.state()).isEqualTo(RepairState.FAILED);
                assertThat(r.attempts()).isEqualTo(3);
            });
        }
    }

    /**
     * Before issue 6 the error quoted the server's answer as is, so a server or proxy that echoes the request
     * put the credentials farmvet sent into the report, the log and the run history.
     */
    @Test
    void issue6_anErrorPageEchoingTheCredentialsIsQuotedWithThemMasked(@TempDir Path secrets) throws Exception {
        FakeServer.Responder echo = (request, out) -> FakeServer.status(
                        403, "Forbidden", "you sent Authorization: " + request.header("Authorization") + " (nope)")
                .respond(request, out);
        FakeServer primary = servers.serve(FakeServer.json(JSON));
        FakeServer node = servers.serve(echo);
        Auth basic = new Auth.Basic("farmvet", new Secret("pa55-word", secrets.resolve("p")));

        VetReport report =
                VetReports.vet(new TestConfigs().primary(primary.url()).node("n", node.url(), basic));

        assertThat(report.nodes().get(0).error())
                .isEqualTo("n: GET " + node.url() + LISTING + " answered 403 Forbidden; the account of nodes[0].auth"
                        + " may not read repo-hashes (Bitbucket requires a system admin): you sent Authorization: ***"
                        + " (nope)");
    }

    private static RepairSettings.Builder agent() {
        return RepairSettings.builder().mode(RepairMode.AGENT).settle(Duration.ZERO);
    }

    /** A vet's report and the metrics after it, as the daemon's {@code /metrics} would show them. */
    private record Measured(VetReport report, PromText metrics) {}

    private static Measured measured(TestConfigs configs) throws Exception {
        VetReport report = VetReports.vet(configs);
        List<String> names =
                report.nodes().stream().map(VetReport.NodeResult::name).toList();
        try (FarmMetrics metrics = new FarmMetrics("test", names)) {
            metrics.vetStarted();
            metrics.vetFinished(report);
            return new Measured(report, PromText.parse(metrics.scrape()));
        }
    }
}

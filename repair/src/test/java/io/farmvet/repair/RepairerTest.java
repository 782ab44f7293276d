package io.farmvet.repair;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.METADATA;
import static io.farmvet.compare.Kind.MISSING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.repair.audit.AuditLog;
import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.repair.ledger.RepairRecord;
import io.farmvet.repair.ledger.RepairState;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.repair.plan.RepairPlan;
import io.farmvet.repair.send.HttpRepairTransport;
import io.farmvet.repair.send.HttpTemplate;
import io.farmvet.repair.send.RepairAdapter;
import io.farmvet.repair.testing.AuditLines;
import io.farmvet.repair.testing.FakeTime;
import io.farmvet.repair.testing.RecordingServer;
import io.farmvet.repair.testing.RecordingServer.Received;
import io.farmvet.repair.testing.RecordingServer.Reply;
import io.farmvet.repair.testing.Tables;
import io.farmvet.util.Units;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair steps as the vet calls them, against real loopback nodes that count what they receive, with a real H2
 * ledger and audit log in a temporary state.dir. Time is fake: no test really waits for back-off or pacing.
 */
class RepairerTest {
    /** The primary the plans take names from: these tests use Bitbucket-like listings without names. */
    private final io.farmvet.compare.PrimaryTable names = Tables.primaryOf(100);

    private static final String TOKEN_1 = "token-of-mirror-1-5f2a";
    private static final String TOKEN_2 = "token-of-mirror-2-9c4e";
    private static final Pattern REPO_ID = Pattern.compile("\"repoId\":(\\d+)");

    @TempDir
    Path stateDir;

    private final FakeTime time = new FakeTime();
    private RecordingServer server1;
    private RecordingServer server2;
    private RepairNode node1;
    private RepairNode node2;
    private HttpRepairTransport transport;
    private RepairLedger ledger;
    private AuditLog audit;

    @BeforeEach
    void start() throws IOException {
        server1 = new RecordingServer();
        server2 = new RecordingServer();
        node1 = new RepairNode("mirror-1", server1.url(), "Bearer " + TOKEN_1);
        node2 = new RepairNode("mirror-2", server2.url(), "Bearer " + TOKEN_2);
        transport = new HttpRepairTransport(Duration.ofSeconds(5), null, 8, time);
        ledger = RepairLedger.open(stateDir);
        audit = AuditLog.open(AuditLog.defaultPath(stateDir));
    }

    @AfterEach
    void stop() throws IOException {
        audit.close();
        ledger.close();
        transport.close();
        server1.close();
        server2.close();
    }

    @Test
    void exactlyTheConfirmedPairsAreRequestedEachWithItsOwnNodesCredentials() throws IOException {
        PrimaryTable primary = Tables.primaryOf(100);
        Repairer repairer = repairer(agent());
        List<Inconsistency> first1 = List.of(i(10, CONTENT), i(11, METADATA), i(12, MISSING));
        List<Inconsistency> second1 = List.of(i(10, CONTENT), i(12, MISSING), i(13, CONTENT));
        List<Inconsistency> first2 = List.of(i(20, CONTENT, METADATA));

        assertThat(repairer.needsSecondLook(node1, first1)).isTrue();
        NodeRepairs result1 = repairer.execute(
                repairer.plan(node1, Confirmation.of(first1, primary, second1, Tables.primaryOf(100)), 100, names));
        NodeRepairs result2 =
                repairer.execute(repairer.plan(node2, Confirmation.of(first2, primary, first2, primary), 100, names));

        assertThat(repoIds(server1)).containsExactlyInAnyOrder(10L, 12L);
        assertThat(server1.received()).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.rawPath()).isEqualTo("/rest/farmvet/1/resync");
            assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN_1);
        });
        assertThat(repoIds(server2)).containsExactly(20L);
        assertThat(server2.received().get(0).header("Authorization")).isEqualTo("Bearer " + TOKEN_2);
        assertThat(server2.received().get(0).body())
                .isEqualTo("{\"repoId\":20,\"projectId\":1,\"kinds\":[\"content\",\"metadata\"]}");

        assertThat(result1.entries())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName(), RepairEntry::detail)
                .containsExactly(
                        tuple(10L, "sent", "HTTP 202: {\"queued\":true}"),
                        tuple(11L, "skipped", "healed during the settle delay"),
                        tuple(12L, "sent", "HTTP 202: {\"queued\":true}"));
        assertThat(result2.count(RepairOutcome.SENT)).isEqualTo(1);
        assertThat(ledger.pending("mirror-1")).containsOnlyKeys(10L, 12L);
        assertThat(ledger.pending("mirror-2")).containsOnlyKeys(20L);

        List<Map<String, Object>> lines = AuditLines.parse(AuditLog.defaultPath(stateDir));
        assertThat(lines)
                .extracting(l -> l.get("node"), l -> l.get("repoId"), l -> l.get("outcome"))
                .containsExactlyInAnyOrder(
                        tuple("mirror-1", 10L, "sent"),
                        tuple("mirror-1", 10L, "accepted"),
                        tuple("mirror-1", 12L, "sent"),
                        tuple("mirror-1", 12L, "accepted"),
                        tuple("mirror-2", 20L, "sent"),
                        tuple("mirror-2", 20L, "accepted"));
        assertThat(lines.get(0).get("request").toString()).startsWith("POST http://127.0.0.1:");
    }

    @Test
    void aRepositoryWhosePrimaryHashMovedIsLeftAlone() {
        PrimaryTable before = Tables.primaryOf(100);
        PrimaryTable after = Tables.primary(movedRow10());
        List<Inconsistency> wrong = List.of(i(10, CONTENT), i(11, CONTENT));
        Repairer repairer = repairer(agent());

        NodeRepairs result =
                repairer.execute(repairer.plan(node1, Confirmation.of(wrong, before, wrong, after), 100, names));

        assertThat(repoIds(server1)).containsExactly(11L);
        assertThat(result.entries())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName(), RepairEntry::detail)
                .contains(tuple(10L, "skipped", "in-flight: the primary changed during the settle delay"));
        assertThat(ledger.pending("mirror-1")).containsOnlyKeys(11L);
    }

    @Test
    void aDryRunPlansAndDescribesEveryRequestAndSendsNone() throws IOException {
        Repairer repairer = repairer(agent().dryRun(true));
        List<Inconsistency> wrong = List.of(i(10, CONTENT), i(11, MISSING));

        NodeRepairs result = repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(wrong), 100, names));

        assertThat(server1.count()).isZero();
        assertThat(result.entries()).hasSize(2).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(RepairOutcome.DRY_RUN);
            assertThat(e.detail())
                    .startsWith("POST " + server1.url() + "/rest/farmvet/1/resync headers {")
                    .contains("Authorization: ***", "\"repoId\":" + e.repoId())
                    .doesNotContain(TOKEN_1);
        });
        assertThat(ledger.repairs("mirror-1")).isEmpty();
        assertThat(Files.readString(AuditLog.defaultPath(stateDir))).isEmpty();
    }

    @Test
    void aNodeBeyondTheSafetyValveGetsNothingAndEveryTargetIsRefused() {
        // 5% of 100 in-scope repositories is 5: six confirmed is mass divergence, five is not.
        Repairer repairer = repairer(agent());
        List<Inconsistency> six = new ArrayList<>();
        List<Inconsistency> five = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            six.add(i(id, MISSING));
            if (id <= 5) {
                five.add(i(id, MISSING));
            }
        }

        RepairPlan refused = repairer.plan(node1, Confirmation.withoutSettle(six), 100, names);
        NodeRepairs result1 = repairer.execute(refused);
        NodeRepairs result2 = repairer.execute(repairer.plan(node2, Confirmation.withoutSettle(five), 100, names));

        assertThat(refused.refused()).isTrue();
        assertThat(refused.toSend()).isEmpty();
        assertThat(server1.count()).isZero();
        assertThat(result1.refused()).isTrue();
        assertThat(result1.entries()).hasSize(6).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(RepairOutcome.REFUSED);
            assertThat(e.detail()).isEqualTo("mass divergence (6 of 100)");
        });
        assertThat(server2.count()).isEqualTo(5);
        assertThat(result2.refused()).isFalse();
    }

    @Test
    void maxPerRunCapsANodeEvenWithinTheFraction() {
        Repairer repairer = repairer(agent().maxPerRun(3));
        List<Inconsistency> four = List.of(i(1, CONTENT), i(2, CONTENT), i(3, CONTENT), i(4, CONTENT));

        NodeRepairs result = repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(four), 10_000, names));

        assertThat(server1.count()).isZero();
        assertThat(result.entries()).allSatisfy(e -> assertThat(e.detail()).isEqualTo("mass divergence (4 of 10000)"));
    }

    @Test
    void aPendingRepairIsNotRequestedAgainEvenAfterARestart() throws IOException {
        List<Inconsistency> wrong = List.of(i(10, CONTENT), i(11, CONTENT));
        Repairer repairer = repairer(agent());
        repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(wrong), 100, names));
        assertThat(server1.count()).isEqualTo(2);
        Instant firstRequest = ledger.pending("mirror-1").get(10L).requestedAt();

        // Restart: a new ledger handle on the same files, a new repairer.
        ledger.close();
        ledger = RepairLedger.open(stateDir);
        time.advance(Duration.ofMinutes(15));
        Repairer restarted = repairer(agent());
        List<Inconsistency> stillWrong = List.of(i(10, CONTENT), i(11, CONTENT), i(12, METADATA));
        restarted.verify(node1, stillWrong, time.instant());
        assertThat(restarted.needsSecondLook(node1, List.of(i(10, CONTENT), i(11, CONTENT))))
                .isFalse();
        NodeRepairs again =
                restarted.execute(restarted.plan(node1, Confirmation.withoutSettle(stillWrong), 100, names));

        assertThat(repoIds(server1)).containsExactlyInAnyOrder(10L, 11L, 12L);
        assertThat(again.entries())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName(), RepairEntry::detail)
                .containsExactly(
                        tuple(10L, "skipped", "pending since " + firstRequest),
                        tuple(11L, "skipped", "pending since " + firstRequest),
                        tuple(12L, "sent", "HTTP 202: {\"queued\":true}"));
    }

    @Test
    void theNextVetsVerifyReportsRepairedAndLaterStillDivergentThenAllowsANewRequest() throws IOException {
        Repairer repairer = repairer(agent().verifyVets(2).verifyAfter(Duration.ofMinutes(20)));
        repairer.execute(
                repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT), i(11, MISSING))), 100, names));

        time.advance(Duration.ofMinutes(15));
        NodeVerification vet2 = repairer.verify(node1, List.of(i(11, MISSING)), time.instant());

        Duration cycle = vet2.settled().get(0).cycleTime();
        assertThat(vet2.entries())
                .extracting(
                        RepairEntry::repoId, e -> e.outcome().wireName(), RepairEntry::detail, RepairEntry::cycleTime)
                .containsExactly(
                        tuple(10L, "repaired", "verified " + Units.duration(cycle) + " after the request", cycle));
        Instant requestedAt = vet2.settled().get(0).repair().requestedAt();
        assertThat(vet2.settled().get(0).cycleTime()).isEqualTo(Duration.between(requestedAt, time.instant()));
        assertThat(vet2.settled().get(0).cycleTime()).isBetween(Duration.ofMinutes(15), Duration.ofMinutes(16));
        assertThat(vet2.stillPending()).isEqualTo(1);

        time.advance(Duration.ofMinutes(15));
        NodeVerification vet3 = repairer.verify(node1, List.of(i(11, MISSING)), time.instant());

        assertThat(vet3.entries())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName())
                .containsExactly(tuple(11L, "still-divergent"));
        assertThat(vet3.stillPending()).isZero();
        NodeRepairs retry =
                repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(List.of(i(11, MISSING))), 100, names));
        assertThat(retry.count(RepairOutcome.SENT)).isEqualTo(1);
        assertThat(repoIds(server1)).containsExactlyInAnyOrder(10L, 11L, 11L);

        var lines = AuditLines.parse(AuditLog.defaultPath(stateDir));
        // The first two requests go out concurrently (repair.concurrency 2), so their lines may come either way.
        assertThat(lines.subList(0, 4))
                .extracting(l -> l.get("repoId"), l -> l.get("outcome"))
                .containsExactlyInAnyOrder(
                        tuple(10L, "sent"), tuple(10L, "accepted"), tuple(11L, "sent"), tuple(11L, "accepted"));
        assertThat(lines.subList(4, lines.size()))
                .extracting(l -> l.get("repoId"), l -> l.get("outcome"))
                .containsExactly(
                        tuple(10L, "repaired"),
                        tuple(11L, "still-divergent"),
                        tuple(11L, "sent"),
                        tuple(11L, "accepted"));
    }

    @Test
    void reportOnlyModeSendsNothingAndNeedsNoSecondLook() {
        Repairer repairer = repairer(RepairSettings.builder());
        List<Inconsistency> wrong = List.of(i(10, CONTENT));

        assertThat(repairer.needsSecondLook(node1, wrong)).isFalse();
        NodeRepairs result = repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(wrong), 100, names));

        assertThat(server1.count()).isZero();
        assertThat(result.entries())
                .extracting(e -> e.outcome().wireName(), RepairEntry::detail)
                .containsExactly(tuple("skipped", "report only (repair.mode: none)"));
    }

    @Test
    void noSecondLookWhenSettleIsOff() {
        Repairer repairer = repairer(agent().settle(Duration.ZERO));

        assertThat(repairer.needsSecondLook(node1, List.of(i(10, CONTENT)))).isFalse();
        assertThat(repairer(agent()).needsSecondLook(node1, List.of())).isFalse();
    }

    @Test
    void requestsPerNodeStayWithinTheConcurrencyBound() {
        server1.hold(20);
        Repairer repairer = repairer(agent().concurrency(2));
        List<Inconsistency> wrong = new ArrayList<>();
        for (int id = 1; id <= 12; id++) {
            wrong.add(i(id, CONTENT));
        }

        NodeRepairs result = repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(wrong), 1000, names));

        assertThat(result.count(RepairOutcome.SENT)).isEqualTo(12);
        assertThat(server1.count()).isEqualTo(12);
        assertThat(server1.maxInFlight()).isBetween(1, 2);
    }

    @Test
    void aFailingNodeGetsBoundedRetriesAndTheFailureIsRecorded() throws IOException {
        server1.respond(r -> Reply.of(503, "echo " + r.header("Authorization")));
        Repairer repairer = repairer(agent().retries(2));

        NodeRepairs result =
                repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT))), 100, names));

        assertThat(server1.count()).isEqualTo(3);
        RepairEntry entry = result.entries().get(0);
        assertThat(entry.outcome()).isEqualTo(RepairOutcome.FAILED);
        assertThat(entry.detail()).isEqualTo("HTTP 503: echo *** (gave up after 3 attempts)");
        RepairRecord record = ledger.repairs("mirror-1").get(0);
        assertThat(record.state()).isEqualTo(RepairState.FAILED);
        assertThat(record.attempts()).isEqualTo(3);
        assertThat(ledger.pending("mirror-1")).isEmpty();
        assertThat(AuditLines.parse(AuditLog.defaultPath(stateDir)))
                .extracting(l -> l.get("outcome"), l -> l.containsKey("detail"))
                .containsExactly(tuple("sent", false), tuple("failed", true));
    }

    @Test
    void aRequestThatCannotBeRecordedIsNotSent() {
        Repairer repairer = repairer(agent());
        RepairPlan plan = repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT))), 100, names);
        ledger.close();

        NodeRepairs result = repairer.execute(plan);

        assertThat(server1.count()).isZero();
        assertThat(result.entries()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(RepairOutcome.FAILED);
            assertThat(e.detail()).contains("cannot record the request for repository 10 on mirror-1");
        });
        ledger = RepairLedger.open(stateDir);
    }

    @Test
    void aLostPermitStopsEveryFurtherRepairOfTheVetOnEveryNode() {
        AtomicInteger confirmed = new AtomicInteger();
        RepairPermit permit = () -> {
            if (confirmed.incrementAndGet() > 1) {
                throw new LedgerException("the vet lock is lost");
            }
        };
        RepairSettings built = agent().concurrency(1).build();
        Repairer repairer = new Repairer(
                built, RepairAdapter.of(built), transport, ledger, audit, time, time, new SplittableRandom(7), permit);
        List<Inconsistency> drift = List.of(i(10, CONTENT), i(11, CONTENT), i(12, CONTENT));

        NodeRepairs first = repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(drift), 100, names));
        NodeRepairs second =
                repairer.execute(repairer.plan(node2, Confirmation.withoutSettle(List.of(i(20, CONTENT))), 100, names));

        assertThat(repoIds(server1)).containsExactly(10L);
        assertThat(server2.count()).isZero();
        assertThat(first.entries())
                .extracting(RepairEntry::repoId, e -> e.outcome().wireName())
                .containsExactly(tuple(10L, "sent"), tuple(11L, "failed"), tuple(12L, "failed"));
        assertThat(second.entries()).singleElement().satisfies(e -> assertThat(e.detail())
                .startsWith("not sent: repairs stopped for this vet: the vet lock is lost")
                .contains("(state.dir)"));
        assertThat(confirmed).as("a lost permit is not asked again").hasValue(2);
        assertThat(repairer.stopped()).contains("the vet lock is lost");
        assertThat(ledger.pending("mirror-1")).containsOnlyKeys(10L);
        assertThat(ledger.pending("mirror-2")).isEmpty();
    }

    @Test
    void theHttpTemplateArrivesEncodedWithTheNodesCredentials() {
        RepairNode awkward = new RepairNode("eu west & \"1\"/b", server1.url(), "Basic dXNlcjpzM2NyM3Q=");
        HttpTemplate template = new HttpTemplate(
                "POST",
                server2.url() + "/hooks/{nodeName}/resync?repo={repoId}&project={projectId}&kinds={kinds}",
                "{\"node\":\"{nodeName}\",\"url\":\"{nodeUrl}\",\"repo\":{repoId}}",
                Map.of("X-Farm", "{nodeName}"));
        Repairer repairer =
                repairer(RepairSettings.builder().mode(RepairMode.HTTP).http(template));

        NodeRepairs result = repairer.execute(
                repairer.plan(awkward, Confirmation.withoutSettle(List.of(i(42, CONTENT, METADATA))), 100, names));

        assertThat(result.count(RepairOutcome.SENT)).isEqualTo(1);
        assertThat(server1.count()).isZero();
        Received received = server2.received().get(0);
        assertThat(received.rawPath()).isEqualTo("/hooks/eu%20west%20%26%20%221%22%2Fb/resync");
        assertThat(received.rawQuery()).isEqualTo("repo=42&project=1&kinds=content%2Cmetadata");
        assertThat(URLDecoder.decode(received.rawPath().split("/")[2], StandardCharsets.UTF_8))
                .isEqualTo("eu west & \"1\"/b");
        assertThat(received.body())
                .isEqualTo("{\"node\":\"eu west & \\\"1\\\"/b\",\"url\":\"" + server1.url() + "\",\"repo\":42}");
        assertThat(received.header("Content-Type")).startsWith("application/json");
        assertThat(received.header("X-Farm")).isEqualTo("eu west & \"1\"/b");
        assertThat(received.header("Authorization")).isEqualTo("Basic dXNlcjpzM2NyM3Q=");
    }

    @Test
    void noSecretEverReachesTheAuditLogOrTheReport() throws IOException {
        // The node echoes its credentials back in error bodies; the template carries a secret of its own.
        server1.respond(r ->
                r.body().contains("\"repoId\":1,") ? Reply.of(202) : Reply.of(400, "bad " + r.header("Authorization")));
        Repairer agentRepairer = repairer(agent().retries(0));
        List<RepairEntry> entries = new ArrayList<>(agentRepairer
                .execute(agentRepairer.plan(
                        node1, Confirmation.withoutSettle(List.of(i(1, CONTENT), i(2, CONTENT))), 100, names))
                .entries());
        HttpTemplate template = new HttpTemplate(
                "POST",
                server2.url() + "/x?api_key=template-secret-77&repo={repoId}",
                null,
                Map.of("X-Api-Token", "template-secret-88"));
        server2.respond(r -> Reply.of(500, r.header("X-Api-Token") + " " + r.rawQuery()));
        Repairer httpRepairer = repairer(
                RepairSettings.builder().mode(RepairMode.HTTP).http(template).retries(1));
        entries.addAll(httpRepairer
                .execute(httpRepairer.plan(node2, Confirmation.withoutSettle(List.of(i(3, CONTENT))), 100, names))
                .entries());
        Repairer dryRun = repairer(
                RepairSettings.builder().mode(RepairMode.HTTP).http(template).dryRun(true));
        entries.addAll(
                dryRun.execute(dryRun.plan(node2, Confirmation.withoutSettle(List.of(i(4, CONTENT))), 100, names))
                        .entries());
        time.advance(Duration.ofHours(1));
        entries.addAll(agentRepairer.verify(node1, List.of(), time.instant()).entries());

        String auditText = Files.readString(AuditLog.defaultPath(stateDir));
        String reportText = entries.toString();
        String ledgerText = ledger.repairs("mirror-1").toString() + ledger.repairs("mirror-2");
        // 1 sent and accepted, 2 sent and failed, 3 sent and failed, 1 repaired; the dry run writes nothing.
        assertThat(AuditLines.parse(AuditLog.defaultPath(stateDir))).hasSize(7);
        for (String secret : List.of(TOKEN_1, TOKEN_2, "template-secret-77", "template-secret-88")) {
            assertThat(auditText).doesNotContain(secret);
            assertThat(reportText).doesNotContain(secret);
            assertThat(ledgerText).doesNotContain(secret);
        }
        assertThat(node1.toString()).doesNotContain(TOKEN_1);
    }

    @Test
    void aRequestWhoseAnswerNeverComesHasItsSentLineAndEveryAnswerIsPairedWithItsSentLine_issue11() throws Exception {
        CountDownLatch answer11 = new CountDownLatch(1);
        server1.respond(r -> {
            if (r.body().contains("\"repoId\":11,")) {
                awaitQuietly(answer11);
            }
            return Reply.of(202, "{\"queued\":true}");
        });
        Repairer repairer = repairer(agent().concurrency(2));
        RepairPlan plan =
                repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT), i(11, MISSING))), 100, names);
        ExecutorService vet = Executors.newSingleThreadExecutor();
        try {
            Future<NodeRepairs> result = vet.submit(() -> repairer.execute(plan));

            // 10 is answered; 11 is at the node, unanswered: were farmvet killed now, its line would be there.
            await().atMost(Duration.ofSeconds(30)).until(() -> audited().size() == 3);
            Map<Long, Long> rows = new java.util.HashMap<>();
            ledger.repairs("mirror-1").forEach(r -> rows.put(r.repositoryId(), r.id()));
            assertThat(audited())
                    .extracting(l -> l.get("repairId"), l -> l.get("repoId"), l -> l.get("outcome"))
                    .containsExactlyInAnyOrder(
                            tuple(rows.get(10L), 10L, "sent"),
                            tuple(rows.get(10L), 10L, "accepted"),
                            tuple(rows.get(11L), 11L, "sent"));
            assertThat(audited())
                    .filteredOn(l -> l.get("outcome").equals("sent"))
                    .allSatisfy(l -> assertThat(l).containsKey("request").doesNotContainKey("answer"));

            answer11.countDown();
            result.get(30, TimeUnit.SECONDS);
            assertThat(audited())
                    .filteredOn(l -> l.get("repoId").equals(11L))
                    .extracting(l -> l.get("repairId"), l -> l.get("outcome"), l -> l.get("answer"))
                    .containsExactly(
                            tuple(rows.get(11L), "sent", null),
                            tuple(rows.get(11L), "accepted", "HTTP 202: {\"queued\":true}"));
        } finally {
            answer11.countDown();
            vet.shutdownNow();
        }
    }

    @Test
    void aRequestInFlightWhenFarmvetStopsStaysPendingSoItIsNotSentAgain_issue11() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        server1.respond(r -> {
            awaitQuietly(answer);
            return Reply.of(503, "shutting down");
        });
        Repairer repairer = repairer(agent().retries(0));
        RepairPlan plan = repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT))), 100, names);
        Thread vet = new Thread(() -> repairer.execute(plan), "vet");
        vet.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> server1.count() == 1);

        vet.interrupt(); // what VetRunner.stop does to the vet at SIGTERM
        vet.join(Duration.ofSeconds(30).toMillis());
        answer.countDown(); // the node answers only after farmvet gave up waiting

        await().atMost(Duration.ofSeconds(30))
                .until(() -> audited().stream().anyMatch(l -> l.get("outcome").equals("unanswered")));
        assertThat(vet.isAlive()).isFalse();
        assertThat(ledger.pending("mirror-1")).containsOnlyKeys(10L);
        assertThat(audited()).extracting(l -> l.get("outcome")).containsExactly("sent", "unanswered");
    }

    @Test
    void eachSentRepairHasOneInfoLineNamingNodeRepositoryKindsAndAnswer_issue11() {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Repairer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            Repairer repairer = repairer(agent());
            repairer.execute(
                    repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT, METADATA))), 100, names));

            assertThat(logs.list)
                    .filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO)
                    .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly("mirror-1: resync of repository 10 (content,metadata) sent:"
                            + " HTTP 202: {\"queued\":true}");
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void retriesAndPacingUseTheInjectedTimeOnly() {
        server1.respond(r -> new Reply(429, Map.of("Retry-After", "5"), ""));
        Repairer repairer = repairer(agent().retries(3));

        repairer.execute(repairer.plan(node1, Confirmation.withoutSettle(List.of(i(10, CONTENT))), 100, names));

        assertThat(server1.count()).isEqualTo(4);
        assertThat(time.sleeps())
                .filteredOn(d -> d.compareTo(Duration.ofSeconds(5)) >= 0)
                .hasSize(3);
    }

    private List<Map<String, Object>> audited() throws IOException {
        return AuditLines.parse(AuditLog.defaultPath(stateDir));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Repairer repairer(RepairSettings.Builder settings) {
        RepairSettings built = settings.build();
        return new Repairer(
                built, RepairAdapter.of(built), transport, ledger, audit, time, time, new SplittableRandom(7));
    }

    private static RepairSettings.Builder agent() {
        return RepairSettings.builder().mode(RepairMode.AGENT);
    }

    private static Tables.Row[] movedRow10() {
        Tables.Row[] rows = new Tables.Row[100];
        for (int i = 0; i < 100; i++) {
            rows[i] = Tables.row(1, i + 1, i + 1 == 10 ? "b".repeat(64) : "a".repeat(64), "1".repeat(64));
        }
        return rows;
    }

    private static List<Long> repoIds(RecordingServer server) {
        List<Long> ids = new ArrayList<>();
        for (Received received : server.received()) {
            Matcher matcher = REPO_ID.matcher(received.body());
            assertThat(matcher.find()).as("a repoId in %s", received.body()).isTrue();
            ids.add(Long.parseLong(matcher.group(1)));
        }
        return ids;
    }

    private static Inconsistency i(long repo, Kind... kinds) {
        return new Inconsistency(repo, 1, EnumSet.of(kinds[0], kinds));
    }
}

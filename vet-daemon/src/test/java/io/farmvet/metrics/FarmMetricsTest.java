package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.testing.PromText;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReport.NodeResult;
import io.farmvet.vet.VetReport.NodeStatus;
import io.farmvet.vet.VetReport.PrimaryResult;
import io.farmvet.vet.VetReport.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Prometheus side of {@link FarmMetrics}, read back through its own text; JMX is in {@link FarmMetricsJmxTest}. */
class FarmMetricsTest {
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");
    private static final double NOW_SECONDS = NOW.getEpochSecond();

    /** A server of its own per test, so these tests never contend for the platform server's JMX name. */
    private final MBeanServer mbeanServer = MBeanServerFactory.newMBeanServer();

    private FarmMetrics metrics;

    @BeforeEach
    void setUp() {
        metrics =
                new FarmMetrics("emea", List.of("mirror-1", "mirror-2"), Clock.fixed(NOW, ZoneOffset.UTC), mbeanServer);
    }

    @AfterEach
    void tearDown() {
        metrics.close();
    }

    @Test
    void everyLabelledSeriesExistsBeforeTheFirstVet() {
        PromText text = PromText.parse(metrics.scrape());

        for (String outcome : List.of("consistent", "inconsistent", "incomplete")) {
            assertThat(text.value("farmvet_vet_duration_seconds_count", "farm", "emea", "outcome", outcome))
                    .isZero();
            assertThat(text.value("farmvet_vet_duration_seconds_sum", "farm", "emea", "outcome", outcome))
                    .isZero();
            assertThat(text.find("farmvet_vet_duration_seconds_bucket", "outcome", outcome))
                    .hasSize(FarmMetrics.VET_BUCKETS.size() + 1);
            assertThat(text.value("farmvet_vet_last_outcome", "outcome", outcome))
                    .isZero();
        }
        for (String node : List.of("primary", "mirror-1", "mirror-2")) {
            assertThat(text.value("farmvet_listing_success", "node", node)).isNaN();
            assertThat(text.value("farmvet_listing_fetch_duration_seconds", "node", node))
                    .isNaN();
            assertThat(text.value("farmvet_listing_size_bytes", "node", node)).isNaN();
            assertThat(text.value("farmvet_listing_repositories", "node", node)).isNaN();
        }
        for (String node : List.of("mirror-1", "mirror-2")) {
            assertThat(text.value("farmvet_node_inconsistent_repositories", "node", node))
                    .isNaN();
            for (Kind kind : Kind.values()) {
                assertThat(text.value("farmvet_node_inconsistencies", "node", node, "kind", kind.wireName()))
                        .isNaN();
            }
            for (String state : FarmMetrics.NODE_STATES) {
                assertThat(text.value("farmvet_node_state", "node", node, "state", state))
                        .isZero();
            }
            for (String outcome : FarmMetrics.REPAIR_OUTCOMES) {
                assertThat(text.value("farmvet_repairs_total", "node", node, "outcome", outcome))
                        .isZero();
            }
            assertThat(text.value("farmvet_repair_cycle_duration_seconds_count", "node", node))
                    .isZero();
            assertThat(text.find("farmvet_repair_cycle_duration_seconds_bucket", "node", node))
                    .hasSize(FarmMetrics.REPAIR_CYCLE_BUCKETS.size() + 1);
        }
        assertThat(text.find("farmvet_node_state", "node", "primary")).isEmpty();
        assertThat(text.value("farmvet_vet_running", "farm", "emea")).isZero();
        assertThat(text.value("farmvet_vet_last_start_timestamp_seconds")).isZero();
        assertThat(text.value("farmvet_vet_last_end_timestamp_seconds")).isZero();
        assertThat(text.value("farmvet_vet_last_success_timestamp_seconds")).isZero();
        assertThat(text.value("farmvet_nodes_failed")).isNaN();
        assertThat(text.value("farmvet_config_last_reload_successful")).isEqualTo(1);
        assertThat(text.value("farmvet_config_last_reload_success_timestamp_seconds"))
                .isEqualTo(NOW_SECONDS);
        assertThat(text.value("farmvet_config_reloads_total", "result", "success"))
                .isZero();
        assertThat(text.value("farmvet_config_reloads_total", "result", "failure"))
                .isZero();
    }

    @Test
    void webhookDeliveriesAreCountedByOutcomeFromTheStart_issue12() {
        PromText before = PromText.parse(metrics.scrape());
        for (String outcome :
                List.of("accepted", "duplicate", "ignored", "other-mirror", "bad-signature", "bad-request")) {
            assertThat(before.value("farmvet_webhook_requests_total", "outcome", outcome))
                    .as(outcome)
                    .isZero();
        }

        metrics.webhookReceived("bad-signature");
        metrics.webhookReceived("bad-signature");
        metrics.webhookReceived("accepted");

        PromText after = PromText.parse(metrics.scrape());
        assertThat(after.value("farmvet_webhook_requests_total", "outcome", "bad-signature"))
                .isEqualTo(2);
        assertThat(after.value("farmvet_webhook_requests_total", "outcome", "accepted"))
                .isEqualTo(1);
        assertThat(after.help.get("farmvet_webhook_requests_total")).contains("outcome");
    }

    @Test
    void everySeriesCarriesTheFarmAndEveryMetricHasHelpAndType() {
        metrics.vetFinished(incompleteVet());
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.samples).isNotEmpty().allSatisfy(s -> assertThat(s.labels())
                .containsEntry("farm", "emea"));
        // promtool check metrics refuses an empty HELP; this catches it without promtool.
        assertThat(text.help).isNotEmpty().allSatisfy((name, help) -> assertThat(help)
                .as("HELP of %s", name)
                .isNotBlank());
        assertThat(text.type.keySet()).containsExactlyInAnyOrderElementsOf(text.help.keySet());
        assertThat(text.samples).noneSatisfy(s -> assertThat(s.labels()).containsKey("repository"));
    }

    @Test
    void aVetIsTimedUnderItsOutcomeWithCumulativeBuckets() {
        metrics.vetStarted();
        assertThat(PromText.parse(metrics.scrape()).value("farmvet_vet_running"))
                .isEqualTo(1);
        metrics.vetFinished(incompleteVet()); // 7 s
        metrics.vetFinished(consistentVet(400));
        metrics.vetFinished(consistentVet(90_000));
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.value("farmvet_vet_duration_seconds_count", "outcome", "incomplete"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_vet_duration_seconds_sum", "outcome", "incomplete"))
                .isEqualTo(7.0, within(1e-9));
        assertThat(text.value("farmvet_vet_duration_seconds_count", "outcome", "consistent"))
                .isEqualTo(2);
        assertThat(text.value("farmvet_vet_duration_seconds_sum", "outcome", "consistent"))
                .isEqualTo(90.4, within(1e-9));
        assertThat(text.value("farmvet_vet_duration_seconds_count", "outcome", "inconsistent"))
                .isZero();
        assertThat(text.value("farmvet_vet_duration_seconds_max", "outcome", "consistent"))
                .isEqualTo(90.0, within(1e-9));

        // Cumulative: le is the upper bound, so 0.4 s is under 0.5 and above 0.25; 90 s is under 120.
        assertThat(bucket(text, "consistent", "0.25")).isZero();
        assertThat(bucket(text, "consistent", "0.5")).isEqualTo(1);
        assertThat(bucket(text, "consistent", "60.0")).isEqualTo(1);
        assertThat(bucket(text, "consistent", "120.0")).isEqualTo(2);
        assertThat(bucket(text, "consistent", "+Inf")).isEqualTo(2);
        assertThat(bucket(text, "incomplete", "5.0")).isZero();
        assertThat(bucket(text, "incomplete", "10.0")).isEqualTo(1);

        assertThat(text.value("farmvet_vet_last_outcome", "outcome", "consistent"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_vet_last_outcome", "outcome", "incomplete"))
                .isZero();
        assertThat(text.value("farmvet_vet_running")).isZero();
    }

    @Test
    void aVetSetsEachServersListingAndDriftGauges() {
        metrics.vetStarted();
        metrics.vetFinished(incompleteVet());
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.value("farmvet_listing_success", "node", "primary")).isEqualTo(1);
        assertThat(text.value("farmvet_listing_fetch_duration_seconds", "node", "primary"))
                .isEqualTo(6.4, within(1e-9));
        assertThat(text.value("farmvet_listing_size_bytes", "node", "primary")).isEqualTo(7_800_000);
        assertThat(text.value("farmvet_listing_repositories", "node", "primary"))
                .isEqualTo(41_210);

        assertThat(text.value("farmvet_listing_success", "node", "mirror-1")).isEqualTo(1);
        assertThat(text.value("farmvet_listing_repositories", "node", "mirror-1"))
                .isEqualTo(41_209);
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-1"))
                .isEqualTo(3);
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-1", "kind", "content"))
                .isEqualTo(2);
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-1", "kind", "metadata"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-1", "kind", "missing"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-1", "kind", "extra"))
                .isZero();

        // A failed node: its bytes and time until the failure are facts, its drift is unknown, not zero.
        assertThat(text.value("farmvet_listing_success", "node", "mirror-2")).isZero();
        assertThat(text.value("farmvet_listing_size_bytes", "node", "mirror-2")).isEqualTo(12_400_000);
        assertThat(text.value("farmvet_listing_fetch_duration_seconds", "node", "mirror-2"))
                .isEqualTo(7.0, within(1e-9));
        assertThat(text.value("farmvet_listing_repositories", "node", "mirror-2"))
                .isNaN();
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-2"))
                .isNaN();
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-2", "kind", "content"))
                .isNaN();
        assertThat(text.value("farmvet_nodes_failed")).isEqualTo(1);

        assertThat(text.value("farmvet_vet_last_start_timestamp_seconds")).isEqualTo(NOW_SECONDS);
        assertThat(text.value("farmvet_vet_last_end_timestamp_seconds")).isEqualTo(NOW_SECONDS);
        // Incomplete is not a success.
        assertThat(text.value("farmvet_vet_last_success_timestamp_seconds")).isZero();

        metrics.vetFinished(consistentVet(500));
        text = PromText.parse(metrics.scrape());
        assertThat(text.value("farmvet_vet_last_success_timestamp_seconds")).isEqualTo(NOW_SECONDS);
        assertThat(text.value("farmvet_nodes_failed")).isZero();
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-1"))
                .isZero();
        assertThat(text.value("farmvet_node_inconsistencies", "node", "mirror-2", "kind", "content"))
                .isZero();
    }

    @Test
    void aVetOfChosenNodesLeavesTheOthersAsTheyWere() {
        metrics.vetFinished(incompleteVet());
        metrics.vetFinished(new VetReport(
                "emea", Status.CONSISTENT, NOW, 300, primary(), List.of(vetted("mirror-2", 41_210, List.of()))));
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-1"))
                .isEqualTo(3);
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-2"))
                .isZero();
    }

    @Test
    void nodeStateIsOneForTheCurrentStateAndZeroForTheOthers() {
        metrics.nodeStatus("mirror-1", "METADATA_SYNCHRONIZED");
        metrics.nodeStatus("mirror-1", "synchronized");
        metrics.nodeStatus("mirror-2", "SOMETHING_NEW");
        PromText text = PromText.parse(metrics.scrape());

        for (String state : FarmMetrics.NODE_STATES) {
            assertThat(text.value("farmvet_node_state", "node", "mirror-1", "state", state))
                    .as(state)
                    .isEqualTo(state.equals("SYNCHRONIZED") ? 1 : 0);
            assertThat(text.value("farmvet_node_state", "node", "mirror-2", "state", state))
                    .as(state)
                    .isEqualTo(state.equals("UNKNOWN") ? 1 : 0);
        }
        assertThat(text.find("farmvet_node_state", "state", "SOMETHING_NEW")).isEmpty();
    }

    @Test
    void repairsAreCountedByNodeAndOutcomeAndCycleTimesLandInBuckets() {
        metrics.repairOutcome("mirror-1", "sent");
        metrics.repairOutcome("mirror-1", "sent");
        metrics.repairOutcome("mirror-1", "repaired");
        metrics.repairOutcome("mirror-2", "still-divergent");
        metrics.repairOutcome("mirror-2", "dry-run");
        metrics.repairCycleTime("mirror-1", Duration.ofMinutes(20));
        metrics.repairCycleTime("mirror-1", Duration.ofHours(3));
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.value("farmvet_repairs_total", "node", "mirror-1", "outcome", "sent"))
                .isEqualTo(2);
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-1", "outcome", "repaired"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-1", "outcome", "failed"))
                .isZero();
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-2", "outcome", "still-divergent"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-2", "outcome", "dry-run"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_repair_cycle_duration_seconds_count", "node", "mirror-1"))
                .isEqualTo(2);
        assertThat(text.value("farmvet_repair_cycle_duration_seconds_sum", "node", "mirror-1"))
                .isEqualTo(20 * 60 + 3 * 3600, within(1e-6));
        assertThat(text.value("farmvet_repair_cycle_duration_seconds_bucket", "node", "mirror-1", "le", "900.0"))
                .isZero();
        assertThat(text.value("farmvet_repair_cycle_duration_seconds_bucket", "node", "mirror-1", "le", "1800.0"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_repair_cycle_duration_seconds_bucket", "node", "mirror-1", "le", "14400.0"))
                .isEqualTo(2);
    }

    @Test
    void anUnknownRepairOutcomeIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> metrics.repairOutcome("mirror-1", "exploded"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repair outcome 'exploded' is not one of sent, dry-run, failed, skipped, refused,"
                        + " repaired, still-divergent");
    }

    @Test
    void reloadsSetTheGaugeAndCountByResult() {
        metrics.reloaded(false);
        PromText text = PromText.parse(metrics.scrape());
        assertThat(text.value("farmvet_config_last_reload_successful")).isZero();
        assertThat(text.value("farmvet_config_reloads_total", "result", "failure"))
                .isEqualTo(1);

        metrics.reloaded(true);
        text = PromText.parse(metrics.scrape());
        assertThat(text.value("farmvet_config_last_reload_successful")).isEqualTo(1);
        assertThat(text.value("farmvet_config_reloads_total", "result", "success"))
                .isEqualTo(1);
        assertThat(text.value("farmvet_config_reloads_total", "result", "failure"))
                .isEqualTo(1);
    }

    @Test
    void nodesChangedRegistersNewNodesAndRemovesGoneOnes() {
        metrics.vetFinished(incompleteVet());
        metrics.repairOutcome("mirror-2", "sent");

        metrics.nodesChanged(List.of("mirror-1", "mirror-3"));
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.samples).noneSatisfy(s -> assertThat(s.labels()).containsEntry("node", "mirror-2"));
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-1"))
                .isEqualTo(3);
        assertThat(text.value("farmvet_node_inconsistent_repositories", "node", "mirror-3"))
                .isNaN();
        assertThat(text.value("farmvet_listing_success", "node", "mirror-3")).isNaN();
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-3", "outcome", "sent"))
                .isZero();
        assertThat(text.find("farmvet_node_state", "node", "mirror-3")).hasSize(FarmMetrics.NODE_STATES.size());
        assertThat(text.value("farmvet_listing_success", "node", "primary")).isEqualTo(1);

        // A node that comes back starts afresh.
        metrics.nodesChanged(List.of("mirror-1", "mirror-2", "mirror-3"));
        text = PromText.parse(metrics.scrape());
        assertThat(text.value("farmvet_repairs_total", "node", "mirror-2", "outcome", "sent"))
                .isZero();
    }

    @Test
    void aReportFromBeforeAReloadStillRecordsItsNodes() {
        metrics.nodesChanged(List.of("mirror-1"));
        metrics.vetFinished(incompleteVet());
        PromText text = PromText.parse(metrics.scrape());
        assertThat(text.value("farmvet_listing_success", "node", "mirror-2")).isZero();
    }

    @Test
    void theNameOfThePrimaryIsNoNodeName() {
        assertThatThrownBy(() -> metrics.nodesChanged(List.of("primary")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name 'primary' is taken");
    }

    @Test
    void issue11_theVetTimersMaximumOutlivesTheScheduleInterval() {
        MovableClock clock = new MovableClock(NOW);
        try (FarmMetrics moving =
                new FarmMetrics("emea", List.of("mirror-1"), clock, MBeanServerFactory.newMBeanServer())) {
            moving.vetFinished(consistentVet(90_000));
            moving.repairCycleTime("mirror-1", Duration.ofMinutes(16));

            // The next vet of the default schedule is 15 minutes on; Micrometer's defaults forgot within 6.
            clock.advance(Duration.ofMinutes(15));
            PromText text = PromText.parse(moving.scrape());
            assertThat(text.value("farmvet_vet_duration_seconds_max", "outcome", "consistent"))
                    .isEqualTo(90.0, within(1e-9));
            assertThat(text.value("farmvet_repair_cycle_duration_seconds_max", "node", "mirror-1"))
                    .isEqualTo(960.0, within(1e-9));

            clock.advance(Duration.ofHours(22));
            assertThat(PromText.parse(moving.scrape())
                            .value("farmvet_vet_duration_seconds_max", "outcome", "consistent"))
                    .isEqualTo(90.0, within(1e-9));

            clock.advance(FarmMetrics.MAX_WINDOW);
            assertThat(PromText.parse(moving.scrape())
                            .value("farmvet_vet_duration_seconds_max", "outcome", "consistent"))
                    .isZero();
        }
    }

    @Test
    void issue11_buildInfoAndTheProcessSeriesUnderPrometheusNames() {
        PromText text = PromText.parse(metrics.scrape());

        assertThat(text.value("farmvet_build_info", "version", FarmMetrics.version()))
                .isEqualTo(1);
        assertThat(text.type).containsEntry("process_cpu_seconds_total", "counter");
        assertThat(text.value("process_cpu_seconds_total")).isPositive();
        assertThat(text.value("process_resident_memory_bytes")).isGreaterThan(1 << 20);
        assertThat(text.value("process_open_fds")).isPositive();
        assertThat(text.value("process_max_fds")).isGreaterThanOrEqualTo(text.value("process_open_fds"));
    }

    @Test
    void issue11_historyWriteFailuresAreCounted() {
        assertThat(PromText.parse(metrics.scrape()).value("farmvet_history_write_failures_total"))
                .isZero();

        metrics.historyWriteFailed();
        metrics.historyWriteFailed();

        assertThat(PromText.parse(metrics.scrape()).value("farmvet_history_write_failures_total"))
                .isEqualTo(2);
    }

    @Test
    void issue11_restRequestsAreCountedByRouteMethodAndStatus() {
        metrics.requestServed("/api/v1/vets/{id}", "GET", 200);
        metrics.requestServed("/api/v1/vets/{id}", "GET", 200);
        metrics.requestServed("/api/v1/vets/{id}", "GET", 404);
        metrics.requestServed("/api/v1/vets", "POST", 202);
        metrics.requestServed("other", "BREW", 405);
        PromText text = PromText.parse(metrics.scrape());

        String name = "farmvet_http_requests_total";
        assertThat(text.value(name, "route", "/api/v1/vets/{id}", "method", "GET", "status", "200"))
                .isEqualTo(2);
        assertThat(text.value(name, "route", "/api/v1/vets/{id}", "method", "GET", "status", "404"))
                .isEqualTo(1);
        assertThat(text.value(name, "route", "/api/v1/vets", "method", "POST", "status", "202"))
                .isEqualTo(1);
        assertThat(text.value(name, "route", "other", "method", "other", "status", "405"))
                .isEqualTo(1);
    }

    /**
     * deploy/README.md lists the states {@code farmvet_node_state} exports; it listed 9 of the 13 (issue 11).
     */
    @Test
    void issue11_theNodeStatesInDeployReadmeAreTheExportedOnes() throws Exception {
        String readme = Files.readString(Path.of("..", "deploy", "README.md"));
        String row = readme.lines()
                .filter(l -> l.startsWith("| `farmvet_node_state` |"))
                .findFirst()
                .orElseThrow();
        List<String> listed = java.util.regex.Pattern.compile("`([A-Z_]+)`")
                .matcher(row.substring(row.indexOf("states:")))
                .results()
                .map(m -> m.group(1))
                .toList();

        assertThat(listed).containsExactlyElementsOf(FarmMetrics.NODE_STATES);
    }

    /** Every farmvet and process metric the scrape has is in deploy/README.md's table, by its full name. */
    @Test
    void everyFarmvetAndProcessMetricIsInDeployReadme() throws Exception {
        metrics.requestServed("/metrics", "GET", 200);
        metrics.cluster(() -> 3, () -> true, () -> 0.02);
        String readme = Files.readString(Path.of("..", "deploy", "README.md"));
        List<String> families = PromText.parse(metrics.scrape()).help.keySet().stream()
                .filter(name -> name.startsWith("farmvet_") || name.startsWith("process_"))
                .map(name -> name.replaceAll("_(max|bucket|count|sum)$", ""))
                .distinct()
                .toList();

        assertThat(families).isNotEmpty().allSatisfy(name -> assertThat(readme)
                .as("deploy/README.md names %s", name)
                .contains("`" + name + "`"));
    }

    /**
     * Writes a scrape with every kind of series filled in to {@code target/metrics-sample.prom}, where
     * {@code deploy/check.sh} runs {@code promtool check metrics} on it.
     */
    @Test
    void writesASampleScrapeForPromtool() throws Exception {
        metrics.vetStarted();
        metrics.vetFinished(incompleteVet());
        metrics.vetFinished(consistentVet(1200));
        metrics.nodeStatus("mirror-1", "SYNCHRONIZED");
        metrics.nodeStatus("mirror-2", "UNREACHABLE");
        metrics.repairOutcome("mirror-1", "sent");
        metrics.repairCycleTime("mirror-1", Duration.ofMinutes(16));
        metrics.reloaded(false);
        metrics.historyWriteFailed();
        metrics.requestServed("/api/v1/vets/{id}", "GET", 200);
        metrics.cluster(() -> 3, () -> false, () -> -0.004);
        String scrape = metrics.scrape();

        Path sample = Path.of("target", "metrics-sample.prom");
        Files.createDirectories(sample.getParent());
        Files.writeString(sample, scrape);
        assertThat(PromText.parse(Files.readString(sample)).samples).hasSameSizeAs(PromText.parse(scrape).samples);
    }

    private static double bucket(PromText text, String outcome, String le) {
        return text.value("farmvet_vet_duration_seconds_bucket", "outcome", outcome, "le", le);
    }

    static PrimaryResult primary() {
        return new PrimaryResult("https://bitbucket.example.com", 41_210L, 7_800_000, 6_400, null);
    }

    static NodeResult vetted(String name, long repositories, List<Inconsistency> inconsistencies) {
        return new NodeResult(
                name,
                "https://" + name + ".example.com",
                NodeStatus.VETTED,
                null,
                repositories,
                7_700_000,
                6_900,
                inconsistencies);
    }

    /** mirror-1 vetted with 3 inconsistent repositories (2 content, 1 metadata, 1 missing); mirror-2 failed. */
    static VetReport incompleteVet() {
        NodeResult mirror1 = vetted(
                "mirror-1",
                41_209,
                List.of(
                        new Inconsistency(17, 3, Set.of(Kind.CONTENT)),
                        new Inconsistency(18, 3, Set.of(Kind.CONTENT, Kind.METADATA)),
                        new Inconsistency(40, 5, Set.of(Kind.MISSING))));
        NodeResult mirror2 = new NodeResult(
                "mirror-2",
                "https://mirror-2.example.com",
                NodeStatus.FAILED,
                "mirror-2: repo-hashes stream ended early after 41210 repositories (12.4 MB, 7000 ms)",
                null,
                12_400_000,
                7_000,
                List.of());
        return new VetReport("emea", Status.INCOMPLETE, NOW, 7_000, primary(), List.of(mirror1, mirror2));
    }

    static VetReport consistentVet(long durationMs) {
        return new VetReport(
                "emea",
                Status.CONSISTENT,
                NOW,
                durationMs,
                primary(),
                List.of(vetted("mirror-1", 41_210, List.of()), vetted("mirror-2", 41_210, List.of())));
    }

    /** A clock that tests move forward by hand. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}

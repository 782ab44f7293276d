package io.farmvet.daemon.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real H2 files in a temporary state.dir; reports shaped like a big farm's. */
class RunHistoryTest {
    private static final int INCONSISTENCIES = 1000;

    @TempDir
    Path stateDir;

    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void aReportIsStoredGzippedAndReadBackAsItWasWritten() throws Exception {
        byte[] report = report(INCONSISTENCIES);
        try (RunHistory history = RunHistory.open(stateDir)) {
            history.record(run(1, "inconsistent", report), 10, 10, 1L << 30);

            assertThat(history.report(id(1)))
                    .hasValueSatisfying(r -> assertThat(r).isEqualTo(report));
            assertThat(history.reportBytes()).isLessThan(report.length * 2L / 3);
        }
        try (StateStore store = StateStore.open(stateDir);
                Statement sql = store.connection().createStatement();
                ResultSet row = sql.executeQuery("SELECT report_encoding FROM vet_runs")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("gzip");
        }
    }

    @Test
    void overTheByteBudgetTheOldestSuccessesGoFirstAndFailuresOutliveThem() {
        byte[] report = report(INCONSISTENCIES);
        try (RunHistory history = RunHistory.open(stateDir)) {
            history.record(run(1, "incomplete", report), 100, 100, 1L << 30);
            long one = history.reportBytes();
            for (int n = 2; n <= 6; n++) {
                history.record(run(n, "consistent", report), 100, 100, 1L << 30);
            }
            // Room for three and a half: the oldest successes go, the older failure stays.
            history.record(run(7, "consistent", report), 100, 100, one * 3 + one / 2);

            assertThat(history.list(10, null)).extracting(RunSummary::id).containsExactly(id(7), id(6), id(1));
            assertThat(history.reportBytes()).isLessThanOrEqualTo(one * 3 + one / 2);

            // A budget below one report keeps the run just recorded, and nothing else.
            history.record(run(8, "incomplete", report), 100, 100, 1);
            assertThat(history.list(10, null)).extracting(RunSummary::id).containsExactly(id(8));
        }
    }

    @Test
    void theStateFileStopsGrowingWhileVetsGoOn_issue11() throws Exception {
        long budget = 2L << 20;
        int n = 60;
        long afterN;
        long afterTwoN;
        try (RunHistory history = RunHistory.open(stateDir)) {
            for (int i = 1; i <= n; i++) {
                history.record(
                        run(i, i % 5 == 0 ? "incomplete" : "inconsistent", report(INCONSISTENCIES)), 100, 500, budget);
            }
            afterN = Files.size(StateStore.file(stateDir));
            for (int i = n + 1; i <= 2 * n; i++) {
                history.record(
                        run(i, i % 5 == 0 ? "incomplete" : "inconsistent", report(INCONSISTENCIES)), 100, 500, budget);
            }
            afterTwoN = Files.size(StateStore.file(stateDir));
            assertThat(history.reportBytes()).isLessThanOrEqualTo(budget);
            assertThat(history.list(1, null)).extracting(RunSummary::id).containsExactly(id(2 * n));
        }
        // Each run writes about 200 kB of report (100 kB gzipped): 24 MB in all, 12 MB of it in the second half.
        // Without the budget and the compaction the file held every byte H2 ever wrote (issue 11: 112 MB).
        assertThat(afterN).isLessThan(4 * budget);
        assertThat(afterTwoN).isLessThan(4 * budget);
    }

    private static String id(int n) {
        return String.format(Locale.ROOT, "20261122T%06d.000Z-%04d", n, n);
    }

    private static RunRecord run(int n, String status, byte[] report) {
        return new RunRecord(
                new RunSummary(
                        id(n), status, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(n), 10, 1),
                "schedule",
                false,
                List.of(),
                report);
    }

    /** A report like a big farm's: entries with random hashes, which gzip only about 2:1. */
    private byte[] report(int inconsistencies) {
        StringBuilder json = new StringBuilder("{\"farm\":\"emea\",\"status\":\"inconsistent\",\"nodes\":[{\"name\":"
                + "\"mirror-1\",\"inconsistencies\":[");
        for (int i = 0; i < inconsistencies; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"repoId\":")
                    .append(random.nextInt(100_000))
                    .append(",\"projectId\":")
                    .append(random.nextInt(500))
                    .append(",\"kinds\":[\"content\"],\"primary\":\"")
                    .append(hex())
                    .append("\",\"node\":\"")
                    .append(hex())
                    .append("\"}");
        }
        return json.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private String hex() {
        StringBuilder hex = new StringBuilder(64);
        for (int i = 0; i < 4; i++) {
            hex.append(String.format(Locale.ROOT, "%016x", random.nextLong()));
        }
        return hex.toString();
    }
}

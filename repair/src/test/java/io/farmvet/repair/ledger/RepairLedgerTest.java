package io.farmvet.repair.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.state.StateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real H2 files in a temporary state.dir. */
class RepairLedgerTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final RepairNode NODE = new RepairNode("mirror-1", URI.create("http://127.0.0.1:1"), "Bearer t");
    private static final RepairNode OTHER = new RepairNode("mirror-2", URI.create("http://127.0.0.1:2"), "Bearer u");

    @TempDir
    Path stateDir;

    @Test
    void createsTheDatabaseFileUnderStateDirWithASchemaVersion() {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            assertThat(ledger.schemaVersion()).isEqualTo("4");
        }
        assertThat(stateDir.resolve("farmvet.mv.db")).exists();
        assertThat(StateStore.jdbcUrl(stateDir))
                .isEqualTo("jdbc:h2:file:" + stateDir.toAbsolutePath() + "/farmvet;DB_CLOSE_ON_EXIT=FALSE");
    }

    @Test
    void pendingRepairsSurviveACleanReopen() {
        long id;
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            id = ledger.begin(target(NODE, 42, Kind.CONTENT, Kind.METADATA), "POST http://x/resync", T0);
            ledger.answered(id, "HTTP 202", 2, true, T0.plusSeconds(1));
            long failed = ledger.begin(target(NODE, 43, Kind.MISSING), "POST http://x/resync", T0);
            ledger.answered(failed, "HTTP 404: gone", 1, false, T0.plusSeconds(1));
        }
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            assertThat(ledger.pending("mirror-1")).containsOnlyKeys(42L);
            RepairRecord record = ledger.pending("mirror-1").get(42L);
            assertThat(record.id()).isEqualTo(id);
            assertThat(record.projectId()).isEqualTo(7);
            assertThat(record.kinds()).containsExactly(Kind.CONTENT, Kind.METADATA);
            assertThat(record.requestedAt()).isEqualTo(T0);
            assertThat(record.request()).isEqualTo("POST http://x/resync");
            assertThat(record.answer()).isEqualTo("HTTP 202");
            assertThat(record.attempts()).isEqualTo(2);
            assertThat(record.state()).isEqualTo(RepairState.PENDING);
            assertThat(ledger.repairs("mirror-1"))
                    .extracting(RepairRecord::repositoryId, RepairRecord::state)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(42L, RepairState.PENDING),
                            org.assertj.core.groups.Tuple.tuple(43L, RepairState.FAILED));
            assertThat(ledger.pending("mirror-2")).isEmpty();
        }
    }

    @Test
    void aRequestRecordedBeforeAnImmediateShutdownIsStillPending() throws Exception {
        RepairLedger ledger = RepairLedger.open(stateDir);
        ledger.begin(target(NODE, 42, Kind.CONTENT), "POST http://x/resync", T0);
        // SHUTDOWN IMMEDIATELY closes the files without any clean-up, like a power cut as far as H2 is concerned.
        try (Connection other = DriverManager.getConnection(StateStore.jdbcUrl(stateDir), "sa", "");
                Statement statement = other.createStatement()) {
            statement.execute("SHUTDOWN IMMEDIATELY");
        }

        try (RepairLedger reopened = RepairLedger.open(stateDir)) {
            assertThat(reopened.pending("mirror-1")).containsOnlyKeys(42L);
            assertThat(reopened.pending("mirror-1").get(42L).answer()).isNull();
        }
    }

    @Test
    void aRequestRecordedBeforeTheProcessIsKilledIsStillPending() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        LedgerCrashMain.class.getName(),
                        stateDir.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("written"));
            assertThat(line).isEqualTo("written");
            // SIGKILL: no shutdown hook, no close, nothing flushed that was not flushed already.
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        try (RepairLedger reopened = RepairLedger.open(stateDir)) {
            assertThat(reopened.pending("mirror-1")).containsOnlyKeys(42L);
        }
    }

    @Test
    void aPendingRepairWhoseRepositoryIsConsistentAgainIsRepaired() {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            long id = ledger.begin(target(NODE, 42, Kind.CONTENT), "POST http://x", T0);
            ledger.answered(id, "HTTP 202", 1, true, T0);

            List<Verification> settled = ledger.verify(
                    "mirror-1", List.of(99L), T0.plusSeconds(60), T0.plusSeconds(90), 3, Duration.ofMinutes(15));

            assertThat(settled).singleElement().satisfies(v -> {
                assertThat(v.outcome()).isEqualTo(VerificationOutcome.REPAIRED);
                assertThat(v.cycleTime()).isEqualTo(Duration.ofSeconds(90));
                assertThat(v.repair().state()).isEqualTo(RepairState.REPAIRED);
            });
            assertThat(ledger.pending("mirror-1")).isEmpty();
            assertThat(ledger.repairs("mirror-1").get(0).verifiedAt()).isEqualTo(T0.plusSeconds(90));
        }
    }

    @Test
    void aRepairStaysPendingUntilEnoughVetsAndEnoughTimeThenIsStillDivergent() {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            long id = ledger.begin(target(NODE, 42, Kind.CONTENT), "POST http://x", T0);
            ledger.answered(id, "HTTP 202", 1, true, T0);
            Set<Long> stillWrong = Set.of(42L);
            Duration window = Duration.ofMinutes(15);

            // Three quick vets: enough vets, not enough time.
            for (int vet = 1; vet <= 3; vet++) {
                Instant at = T0.plusSeconds(60L * vet);
                assertThat(ledger.verify("mirror-1", stillWrong, at, at, 3, window))
                        .isEmpty();
            }
            assertThat(ledger.pending("mirror-1").get(42L).checks()).isEqualTo(3);

            Instant late = T0.plus(window);
            List<Verification> settled = ledger.verify("mirror-1", stillWrong, late, late, 3, window);

            assertThat(settled).singleElement().satisfies(v -> {
                assertThat(v.outcome()).isEqualTo(VerificationOutcome.STILL_DIVERGENT);
                assertThat(v.repair().checks()).isEqualTo(4);
            });
            assertThat(ledger.pending("mirror-1")).isEmpty();
        }
    }

    @Test
    void aListingRequestedBeforeTheRepairDoesNotJudgeIt() {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            long id = ledger.begin(target(NODE, 42, Kind.CONTENT), "POST http://x", T0);
            ledger.answered(id, "HTTP 202", 1, true, T0);

            assertThat(ledger.verify("mirror-1", List.of(), T0, T0.plusSeconds(5), 1, Duration.ZERO))
                    .isEmpty();
            assertThat(ledger.pending("mirror-1")).containsOnlyKeys(42L);
            assertThat(ledger.pending("mirror-1").get(42L).checks()).isZero();
        }
    }

    @Test
    void verificationTouchesOnlyTheNodeItIsFor() {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            ledger.answered(ledger.begin(target(NODE, 42, Kind.CONTENT), "POST a", T0), "HTTP 202", 1, true, T0);
            ledger.answered(ledger.begin(target(OTHER, 42, Kind.CONTENT), "POST b", T0), "HTTP 202", 1, true, T0);

            ledger.verify("mirror-1", List.of(), T0.plusSeconds(1), T0.plusSeconds(1), 1, Duration.ZERO);

            assertThat(ledger.pending("mirror-1")).isEmpty();
            assertThat(ledger.pending("mirror-2")).containsOnlyKeys(42L);
        }
    }

    @Test
    void anUnusableStateDirIsAClearError() throws Exception {
        Path file = Files.writeString(stateDir.resolve("not-a-dir"), "x");

        assertThatThrownBy(() -> RepairLedger.open(file))
                .isInstanceOf(LedgerException.class)
                .hasMessageStartingWith("cannot open the repair ledger jdbc:h2:file:" + file.toAbsolutePath());
    }

    private static RepairTarget target(RepairNode node, long repo, Kind... kinds) {
        return new RepairTarget(node, repo, 7, EnumSet.of(kinds[0], kinds));
    }
}

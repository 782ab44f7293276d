package io.farmvet.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.repair.ledger.RepairLedger;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The state store on a real PostgreSQL, started by the test (issue 14): the same migrations, the same ledger. */
class PostgresqlStateTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final RepairNode NODE = new RepairNode("mirror-1", URI.create("http://127.0.0.1:1"), "Bearer t");

    private static EmbeddedPostgres postgres;
    private static StateDatabase database;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        database = StateDatabase.postgresql(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "unused");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void migratesTheCommonAndThePostgresqlOnlyMigrations() throws Exception {
        try (StateStore store = StateStore.open(database)) {
            assertThat(store.schemaVersion()).isEqualTo("6");
            assertThat(tables(store.connection()))
                    .contains("repairs", "vet_runs", "sync_events", "schema_version", "vet_lock_holder")
                    .contains("qrtz_triggers", "qrtz_locks", "qrtz_scheduler_state");
            try (Statement statement = store.connection().createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT lock_name FROM qrtz_locks WHERE sched_name = 'farmvet' ORDER BY lock_name")) {
                List<String> locks = new ArrayList<>();
                while (rows.next()) {
                    locks.add(rows.getString(1));
                }
                assertThat(locks).containsExactly("STATE_ACCESS", "TRIGGER_ACCESS");
            }
        }
    }

    @Test
    void everySessionHasStatementAndLockTimeouts() throws Exception {
        try (StateStore store = StateStore.open(database);
                Connection dedicated = StateStore.dedicatedConnection(database)) {
            for (Connection connection : List.of(store.connection(), dedicated)) {
                assertThat(show(connection, "statement_timeout")).isEqualTo("1min");
                assertThat(show(connection, "lock_timeout")).isEqualTo("15s");
                assertThat(show(connection, "idle_in_transaction_session_timeout"))
                        .isEqualTo("1min");
                assertThat(show(connection, "tcp_keepalives_idle")).isEqualTo("30");
            }
        }
    }

    @Test
    void poolIsSizedForQuartzAndTheStores() throws Exception {
        // Quartz's clustered store holds its threads + 3 at once (1 thread in farmvet), beside the stores' 3.
        assertThat(PostgresqlPool.POOL_SIZE).isGreaterThanOrEqualTo(1 + 3 + 3);
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < PostgresqlPool.POOL_SIZE; i++) {
                held.add(StateStore.pool(database).getConnection());
            }
            assertThat(held).hasSize(PostgresqlPool.POOL_SIZE).allMatch(c -> !isClosed(c));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void theLedgerKeepsAndSettlesRepairsAsOnH2() {
        long id;
        try (RepairLedger ledger = RepairLedger.open(database)) {
            id = ledger.begin(target(4242), "POST http://x/resync", T0);
            ledger.answered(id, "HTTP 202", 1, true, T0.plusSeconds(1));
        }
        try (RepairLedger ledger = RepairLedger.open(database)) {
            assertThat(ledger.pending("mirror-1")).containsKey(4242L);
            assertThat(ledger.pending("mirror-1").get(4242L).id()).isEqualTo(id);
            var settled = ledger.verify("mirror-1", Set.of(), T0.plusSeconds(60), T0.plusSeconds(61), 3, Duration.ZERO);
            assertThat(settled)
                    .filteredOn(v -> v.repair().id() == id)
                    .singleElement()
                    .satisfies(v -> assertThat(v.outcome()).isEqualTo(VerificationOutcome.REPAIRED));
            assertThat(ledger.pending("mirror-1")).doesNotContainKey(4242L);
        }
    }

    @Test
    void urlAndToStringNeverShowThePassword() {
        StateDatabase secret =
                StateDatabase.postgresql(postgres.getJdbcUrl("postgres", "postgres"), "farmvet", "s3cr3t");
        assertThat(secret.toString()).doesNotContain("s3cr3t").contains("farmvet");
    }

    private static RepairTarget target(long repo) {
        return new RepairTarget(NODE, repo, 7, EnumSet.of(Kind.CONTENT));
    }

    private static List<String> tables(Connection connection) throws Exception {
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema")) {
            while (rows.next()) {
                names.add(rows.getString(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return names;
    }

    private static String show(Connection connection, String setting) throws Exception {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (Exception e) {
            return true;
        }
    }
}

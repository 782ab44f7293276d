package io.farmvet.daemon.history;

import io.farmvet.repair.ledger.RepairLedger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's run history: every finished vet's summary and whole report, in the same H2 database as the repair
 * ledger ({@code jdbc:h2:file:<state.dir>/farmvet}), under its own {@code schema_version} component
 * ({@value #COMPONENT}). Run ids are time-ordered strings, so "newest first" is "id descending".
 *
 * <p>{@link #record} writes a run and prunes the old ones in one transaction, then forces it to disk: a crash
 * leaves either the whole run or none of it, and never loses a run that was reported as recorded. Pruning keeps
 * the newest {@code keepSuccesses} consistent or inconsistent runs and, separately, the newest {@code
 * keepFailures} incomplete ones, so the failures an operator comes back to read outlive the routine successes.
 *
 * <p>One connection, every method synchronized: thread-safe. H2 shares one open database between the
 * connections of a process, so the repair ledger may be open on the same file at the same time.
 */
public final class RunHistory implements AutoCloseable {
    static final String COMPONENT = "history";

    /** Migrations of this component, index i bringing the schema from version i to i + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE vet_runs ("
                    + " id VARCHAR(64) PRIMARY KEY,"
                    + " started_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,"
                    + " duration_ms BIGINT NOT NULL,"
                    + " status VARCHAR(20) NOT NULL,"
                    + " inconsistencies BIGINT NOT NULL,"
                    + " trigger_kind VARCHAR(20) NOT NULL,"
                    + " dry_run BOOLEAN NOT NULL,"
                    + " nodes VARCHAR(4000),"
                    + " report BLOB NOT NULL)",
            "CREATE INDEX vet_runs_status_id ON vet_runs(status, id)"));

    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final String SUCCESSES = "status IN ('consistent', 'inconsistent')";
    private static final String FAILURES = "status NOT IN ('consistent', 'inconsistent')";
    private static final int MAX_NODES_TEXT = 4000;

    private final Connection connection;
    private final String url;

    private RunHistory(Connection connection, String url) {
        this.connection = connection;
        this.url = url;
    }

    /** Opens (creating if need be) the history under {@code stateDir} and migrates it to this version's schema. */
    public static RunHistory open(Path stateDir) {
        String url = RepairLedger.jdbcUrl(stateDir);
        Connection connection;
        try {
            connection = DriverManager.getConnection(url, "sa", "");
        } catch (SQLException e) {
            throw new HistoryException(
                    "cannot open the run history " + url + ": " + e.getMessage()
                            + "; check that state.dir is a writable folder and that no other farmvet uses it",
                    e);
        }
        RunHistory history = new RunHistory(connection, url);
        try {
            history.refuseReadOnly();
            history.migrate();
            return history;
        } catch (RuntimeException e) {
            history.close();
            throw e;
        }
    }

    /**
     * H2 opens a database file it cannot write read-only, without an error; every write would then fail. Refusing
     * it here makes a read-only state.dir what the README says it is: a store that is not open, reported by
     * {@code /-/ready}, with reports kept in memory (issue 6).
     */
    private void refuseReadOnly() {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT READONLY()")) {
            if (result.next() && result.getBoolean(1)) {
                throw new HistoryException(
                        "cannot open the run history " + url + " for writing: the database is read-only; check that"
                                + " state.dir and the files in it are writable by farmvet and the disk is not"
                                + " mounted read-only",
                        null);
            }
        } catch (SQLException e) {
            throw failure("check whether the database is writable", e);
        }
    }

    /** Writes a finished run and prunes the history, all or nothing, and forces it to disk. */
    public synchronized void record(RunRecord run, int keepSuccesses, int keepFailures) {
        RunSummary s = run.summary();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO vet_runs (id, started_at,"
                    + " duration_ms, status, inconsistencies, trigger_kind, dry_run, nodes, report)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, s.id());
                insert.setObject(2, OffsetDateTime.ofInstant(s.startedAt(), ZoneOffset.UTC));
                insert.setLong(3, s.durationMs());
                insert.setString(4, s.status());
                insert.setLong(5, s.inconsistencies());
                insert.setString(6, run.trigger());
                insert.setBoolean(7, run.dryRun());
                insert.setString(8, nodesText(run.nodes()));
                insert.setBytes(9, run.reportJson());
                insert.executeUpdate();
            }
            prune(SUCCESSES, keepSuccesses);
            prune(FAILURES, keepFailures);
            connection.commit();
            sync();
        } catch (SQLException e) {
            rollback();
            throw failure("record vet " + s.id(), e);
        } finally {
            autoCommit();
        }
    }

    /**
     * Up to {@code limit} runs, newest first, older than the run {@code beforeId} when it is not null (the id
     * need not exist any more: paging goes on past a pruned run).
     */
    public synchronized List<RunSummary> list(int limit, String beforeId) {
        String sql = "SELECT id, status, started_at, duration_ms, inconsistencies FROM vet_runs"
                + (beforeId == null ? "" : " WHERE id < ?")
                + " ORDER BY id DESC FETCH FIRST ? ROWS ONLY";
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            int i = 1;
            if (beforeId != null) {
                query.setString(i++, beforeId);
            }
            query.setInt(i, limit);
            List<RunSummary> runs = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    runs.add(new RunSummary(
                            rows.getString(1),
                            rows.getString(2),
                            rows.getObject(3, OffsetDateTime.class).toInstant(),
                            rows.getLong(4),
                            rows.getLong(5)));
                }
            }
            return runs;
        } catch (SQLException e) {
            throw failure("list the runs", e);
        }
    }

    /** The report of run {@code id} as it was recorded, or empty when there is no such run (or it was pruned). */
    public synchronized Optional<byte[]> report(String id) {
        try (PreparedStatement query = connection.prepareStatement("SELECT report FROM vet_runs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the report of vet " + id, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }

    @Override
    public String toString() {
        return "run history " + url;
    }

    /** Deletes the runs matching {@code where} beyond the newest {@code keep}. */
    private void prune(String where, int keep) throws SQLException {
        String newestToDrop;
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT id FROM vet_runs WHERE " + where + " ORDER BY id DESC OFFSET ? ROWS FETCH NEXT 1 ROW ONLY")) {
            query.setInt(1, keep);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return;
                }
                newestToDrop = rows.getString(1);
            }
        }
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM vet_runs WHERE " + where + " AND id <= ?")) {
            delete.setString(1, newestToDrop);
            delete.executeUpdate();
        }
    }

    private void migrate() {
        try {
            try (Statement statement = connection.createStatement()) {
                // The same statement as the repair ledger's: whichever component opens the file first creates it.
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version (component VARCHAR(64) PRIMARY KEY,"
                        + " version INT NOT NULL, applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)");
            }
            int version = storedVersion();
            if (version > SCHEMA_VERSION) {
                throw new HistoryException(
                        url + " holds run history schema version " + version
                                + ", written by a newer farmvet; this one knows up to " + SCHEMA_VERSION
                                + ": run the newer farmvet, or point state.dir at another folder",
                        null);
            }
            for (int next = version; next < SCHEMA_VERSION; next++) {
                connection.setAutoCommit(false);
                try (Statement statement = connection.createStatement()) {
                    for (String sql : MIGRATIONS.get(next)) {
                        statement.execute(sql);
                    }
                    try (PreparedStatement mark = connection.prepareStatement(
                            "MERGE INTO schema_version (component, version, applied_at) KEY (component)"
                                    + " VALUES (?, ?, ?)")) {
                        mark.setString(1, COMPONENT);
                        mark.setInt(2, next + 1);
                        mark.setObject(3, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
                        mark.executeUpdate();
                    }
                    connection.commit();
                } catch (SQLException e) {
                    rollback();
                    throw e;
                } finally {
                    autoCommit();
                }
            }
            sync();
        } catch (SQLException e) {
            throw failure("migrate the schema", e);
        }
    }

    private int storedVersion() throws SQLException {
        try (PreparedStatement query =
                connection.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
            query.setString(1, COMPONENT);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    /**
     * Forces what is committed to disk: H2's MVStore otherwise writes commits in the background up to a second
     * later, and a run reported as recorded must survive a kill -9.
     */
    private void sync() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is the one to report; a failed rollback ends with the connection anyway.
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // As above: the connection is broken and the next call will say so with its own context.
        }
    }

    private HistoryException failure(String what, SQLException e) {
        return new HistoryException("run history " + url + ": cannot " + what + ": " + e.getMessage(), e);
    }

    private static String nodesText(List<String> nodes) {
        if (nodes.isEmpty()) {
            return null;
        }
        String text = String.join(",", nodes);
        return text.length() <= MAX_NODES_TEXT ? text : text.substring(0, MAX_NODES_TEXT);
    }
}

package io.farmvet.daemon.history;

import io.farmvet.state.StateDatabase;
import io.farmvet.state.StateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The daemon's run history: every finished vet's summary and whole report, in the state store under {@code
 * state.dir} (with the repair ledger; see {@link StateStore}). Run ids are time-ordered strings, so "newest first"
 * is "id descending".
 *
 * <p>{@link #record} writes a run and prunes the old ones in one transaction, then forces it to disk: a crash
 * leaves either the whole run or none of it, and never loses a run that was reported as recorded. Pruning keeps
 * the newest {@code keepSuccesses} consistent or inconsistent runs and, separately, the newest {@code
 * keepFailures} incomplete ones, so the failures an operator comes back to read outlive the routine successes;
 * then, while the stored reports together take more than {@code maxBytes}, it drops the oldest successes first
 * and the oldest failures only when no success is left to drop. The run just recorded is always kept.
 *
 * <p>Reports are stored gzipped ({@code report_encoding = 'gzip'}; a big farm's JSON report shrinks
 * several times over); rows written by farmvet 0.1 are {@code identity} and read as they are. Once pruning has
 * dropped half the budget since the last compaction, the file is compacted ({@link StateStore#compact}) so that
 * it shrinks back too.
 *
 * <p>One connection, every method synchronized: thread-safe. H2 shares one open database between the
 * connections of a process, so the repair ledger may be open on the same file at the same time.
 */
public final class RunHistory implements AutoCloseable {
    /**
     * Pruning that dropped this share of {@code maxBytes} since the last compaction makes {@link #record} compact
     * the file: H2 writes about twice what a report takes (pages and their rewrite), so the file stays within a
     * few budgets, and the compaction (a rewrite of the live data) runs once per several vets, not each.
     */
    static final double COMPACT_AFTER_BUDGET_SHARE = 0.5;

    private static final String SUCCESSES = "status IN ('consistent', 'inconsistent')";
    private static final String FAILURES = "status NOT IN ('consistent', 'inconsistent')";
    private static final String GZIP = "gzip";
    private static final String IDENTITY = "identity";
    private static final int MAX_NODES_TEXT = 4000;

    private final StateStore db;
    private final String url;
    private long droppedSinceCompaction;

    private RunHistory(StateStore db) {
        this.db = db;
        this.url = db.url();
    }

    /** Opens (creating if need be) the history under {@code stateDir} and migrates it to this version's schema. */
    public static RunHistory open(Path stateDir) {
        return open(StateDatabase.h2(stateDir));
    }

    /** Opens the history in {@code database} (H2 or PostgreSQL), migrated to this version's schema. */
    public static RunHistory open(StateDatabase database) {
        try {
            return new RunHistory(StateStore.open(database));
        } catch (SQLException e) {
            throw new HistoryException(
                    "cannot open the run history " + database + ": " + e.getMessage()
                            + (database.isPostgresql()
                                    ? "; check state.database and that PostgreSQL is up"
                                    : "; check that state.dir is a writable folder and that no other farmvet uses"
                                            + " it"),
                    e);
        }
    }

    /** Writes a finished run and prunes the history, all or nothing, and forces it to disk. */
    public synchronized void record(RunRecord run, int keepSuccesses, int keepFailures, long maxBytes) {
        RunSummary s = run.summary();
        byte[] stored = gzip(run.reportJson());
        try {
            write(run, stored, keepSuccesses, keepFailures, maxBytes);
        } catch (SQLException e) {
            throw failure("record vet " + s.id(), e);
        }
        if (droppedSinceCompaction >= maxBytes * COMPACT_AFTER_BUDGET_SHARE) {
            try {
                if (db.compact()) {
                    droppedSinceCompaction = 0;
                }
            } catch (SQLException | RuntimeException e) {
                // The run is recorded; a file that did not shrink this time is tried again later.
                org.slf4j.LoggerFactory.getLogger(RunHistory.class)
                        .warn("{}: compacting the file failed: {}", url, e.getMessage());
            }
        }
    }

    /** The bytes the stored reports take together. */
    public synchronized long reportBytes() {
        try (PreparedStatement query =
                        connection().prepareStatement("SELECT COALESCE(SUM(report_bytes), 0) FROM vet_runs");
                ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw failure("sum the report sizes", e);
        }
    }

    private void write(RunRecord run, byte[] stored, int keepSuccesses, int keepFailures, long maxBytes)
            throws SQLException {
        RunSummary s = run.summary();
        try {
            connection().setAutoCommit(false);
            try (PreparedStatement insert = connection()
                    .prepareStatement("INSERT INTO vet_runs (id, started_at,"
                            + " duration_ms, status, inconsistencies, trigger_kind, dry_run, nodes, report,"
                            + " report_encoding, report_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, s.id());
                insert.setObject(2, OffsetDateTime.ofInstant(s.startedAt(), ZoneOffset.UTC));
                insert.setLong(3, s.durationMs());
                insert.setString(4, s.status());
                insert.setLong(5, s.inconsistencies());
                insert.setString(6, run.trigger());
                insert.setBoolean(7, run.dryRun());
                insert.setString(8, nodesText(run.nodes()));
                insert.setBytes(9, stored);
                insert.setString(10, GZIP);
                insert.setLong(11, stored.length);
                insert.executeUpdate();
            }
            long dropped =
                    prune(SUCCESSES, keepSuccesses) + prune(FAILURES, keepFailures) + pruneToBudget(s.id(), maxBytes);
            connection().commit();
            db.sync();
            droppedSinceCompaction += dropped;
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.autoCommit();
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
        try (PreparedStatement query = connection().prepareStatement(sql)) {
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
        try (PreparedStatement query =
                connection().prepareStatement("SELECT report, report_encoding FROM vet_runs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                byte[] stored = rows.getBytes(1);
                return Optional.of(GZIP.equals(rows.getString(2)) ? gunzip(stored, id) : stored);
            }
        } catch (SQLException e) {
            throw failure("read the report of vet " + id, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }

    @Override
    public String toString() {
        return "run history " + url;
    }

    /** Deletes the runs matching {@code where} beyond the newest {@code keep}; the report bytes dropped. */
    private long prune(String where, int keep) throws SQLException {
        String newestToDrop;
        try (PreparedStatement query = connection()
                .prepareStatement("SELECT id FROM vet_runs WHERE " + where
                        + " ORDER BY id DESC OFFSET ? ROWS FETCH NEXT 1 ROW ONLY")) {
            query.setInt(1, keep);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return 0;
                }
                newestToDrop = rows.getString(1);
            }
        }
        long dropped;
        try (PreparedStatement sum = connection()
                .prepareStatement(
                        "SELECT COALESCE(SUM(report_bytes), 0) FROM vet_runs WHERE " + where + " AND id <= ?")) {
            sum.setString(1, newestToDrop);
            try (ResultSet rows = sum.executeQuery()) {
                rows.next();
                dropped = rows.getLong(1);
            }
        }
        try (PreparedStatement delete =
                connection().prepareStatement("DELETE FROM vet_runs WHERE " + where + " AND id <= ?")) {
            delete.setString(1, newestToDrop);
            delete.executeUpdate();
        }
        return dropped;
    }

    /**
     * Deletes the oldest runs, successes before failures, until the reports fit {@code maxBytes}; never the run
     * {@code keptId}. The report bytes dropped.
     */
    private long pruneToBudget(String keptId, long maxBytes) throws SQLException {
        long excess;
        try (PreparedStatement sum =
                        connection().prepareStatement("SELECT COALESCE(SUM(report_bytes), 0) FROM vet_runs");
                ResultSet rows = sum.executeQuery()) {
            rows.next();
            excess = rows.getLong(1) - maxBytes;
        }
        if (excess <= 0) {
            return 0;
        }
        List<String> drop = new ArrayList<>();
        long dropped = 0;
        try (PreparedStatement oldest = connection()
                .prepareStatement("SELECT id, report_bytes FROM vet_runs WHERE id <> ?" + " ORDER BY CASE WHEN "
                        + SUCCESSES + " THEN 0 ELSE 1 END, id")) {
            oldest.setString(1, keptId);
            try (ResultSet rows = oldest.executeQuery()) {
                while (dropped < excess && rows.next()) {
                    drop.add(rows.getString(1));
                    dropped += rows.getLong(2);
                }
            }
        }
        try (PreparedStatement delete = connection().prepareStatement("DELETE FROM vet_runs WHERE id = ?")) {
            for (String id : drop) {
                delete.setString(1, id);
                delete.addBatch();
            }
            delete.executeBatch();
        }
        return dropped;
    }

    /** The store's connection now: compaction replaces it. */
    private Connection connection() {
        return db.connection();
    }

    private HistoryException failure(String what, SQLException e) {
        return new HistoryException("run history " + url + ": cannot " + what + ": " + e.getMessage(), e);
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, json.length / 8));
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private byte[] gunzip(byte[] stored, String id) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            return zip.readAllBytes();
        } catch (IOException e) {
            throw new HistoryException(
                    "run history " + url + ": the stored report of vet " + id + " is not valid gzip (" + stored.length
                            + " bytes): " + e.getMessage(),
                    e);
        }
    }

    private static String nodesText(List<String> nodes) {
        if (nodes.isEmpty()) {
            return null;
        }
        String text = String.join(",", nodes);
        return text.length() <= MAX_NODES_TEXT ? text : text.substring(0, MAX_NODES_TEXT);
    }
}

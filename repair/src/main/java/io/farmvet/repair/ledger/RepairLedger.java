package io.farmvet.repair.ledger;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.state.StateDatabase;
import io.farmvet.state.StateStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The repair ledger: every repair request farmvet made and how it ended, in an embedded H2 database under
 * {@code state.dir} ({@code jdbc:h2:file:<state.dir>/farmvet}), so that pending repairs survive a restart and a
 * crash and no repository is requested twice while one is pending.
 *
 * <p>A row is written, and forced to disk, <em>before</em> its request is sent ({@link #begin}); a process killed
 * mid-request leaves it pending, and the next vet verifies it rather than sending it again; so does one whose
 * answer never came because farmvet stopped ({@link #unanswered}). The table is created and upgraded with the rest
 * of the state by {@link StateStore}. The row's id is the repair's id in the audit log too.
 *
 * <p>One connection, every method synchronized: thread-safe, and meant to be opened once per process (H2 locks the
 * file).
 */
public final class RepairLedger implements AutoCloseable {
    /** The default {@code state.dir}; the systemd unit uses {@code /var/lib/farmvet}. */
    public static final Path DEFAULT_STATE_DIR = Path.of("farmvet-state");

    private static final int MAX_TEXT = 4000;

    private final StateStore db;
    private final String url;

    private RepairLedger(StateStore db) {
        this.db = db;
        this.url = db.url();
    }

    /** Opens (creating if need be) the ledger under {@code stateDir} and migrates it to this version's schema. */
    public static RepairLedger open(Path stateDir) {
        return open(StateDatabase.h2(stateDir));
    }

    /** Opens the ledger in {@code database} (H2 or PostgreSQL), migrated to this version's schema. */
    public static RepairLedger open(StateDatabase database) {
        try {
            return new RepairLedger(StateStore.open(database));
        } catch (SQLException e) {
            throw new LedgerException("cannot open the repair ledger " + database + ": " + e.getMessage(), e);
        }
    }

    /** Where the ledger lives, with its config key: what an operator must bring back when it fails. */
    public String where() {
        StateDatabase database = db.database();
        return database.isPostgresql()
                ? "the state database " + database + " (state.database)"
                : "the state in " + database.dir() + " (state.dir)";
    }

    /** The state store's schema version, as Flyway recorded it. */
    public synchronized String schemaVersion() {
        return db.schemaVersion();
    }

    /**
     * Records that a request for {@code target} is about to be sent, durably, before it is: from now on the
     * repository counts as pending on the node.
     *
     * @return the row's id, for {@link #answered}
     */
    public synchronized long begin(RepairTarget target, String requestSummary, Instant requestedAt) {
        try {
            return insert(target, requestSummary, requestedAt);
        } catch (SQLException e) {
            throw failure(
                    "record the request for repository " + target.repositoryId() + " on "
                            + target.node().name(),
                    e);
        }
    }

    private long insert(RepairTarget target, String requestSummary, Instant requestedAt) throws SQLException {
        String sql = "INSERT INTO repairs (node, repository_id, project_id, kinds, requested_at, request, state,"
                + " attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)";
        try (PreparedStatement insert = connection().prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, target.node().name());
            insert.setLong(2, target.repositoryId());
            insert.setLong(3, target.projectId());
            insert.setString(4, target.kindsText());
            insert.setObject(5, time(requestedAt));
            insert.setString(6, clip(requestSummary));
            insert.setString(7, RepairState.PENDING.wireName());
            insert.executeUpdate();
            long id;
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            db.sync();
            return id;
        }
    }

    /**
     * Records how the request of row {@code id} went: accepted, it stays pending until verified; otherwise it is
     * {@code failed} now.
     */
    public synchronized void answered(long id, String answer, int attempts, boolean accepted, Instant at) {
        update(id, answer, attempts, accepted ? RepairState.PENDING : RepairState.FAILED, accepted ? null : at);
    }

    /**
     * Records that the request of row {@code id} went out but its answer was not waited for, because farmvet is
     * stopping: the node may have taken it, so it stays pending, to be verified rather than sent again.
     */
    public synchronized void unanswered(long id, String note, int attempts) {
        update(id, note, attempts, RepairState.PENDING, null);
    }

    private void update(long id, String answer, int attempts, RepairState state, Instant verifiedAt) {
        String sql = "UPDATE repairs SET answer = ?, attempts = ?, state = ?, verified_at = ? WHERE id = ?";
        try (PreparedStatement update = connection().prepareStatement(sql)) {
            update.setString(1, clip(answer));
            update.setInt(2, attempts);
            update.setString(3, state.wireName());
            update.setObject(4, time(verifiedAt));
            update.setLong(5, id);
            update.executeUpdate();
            db.sync();
        } catch (SQLException e) {
            throw failure("record the answer of repair " + id, e);
        }
    }

    /** The node's pending repairs by repository id (the oldest, should there be more than one). */
    public synchronized Map<Long, RepairRecord> pending(String node) {
        Map<Long, RepairRecord> pending = new LinkedHashMap<>();
        for (RepairRecord record :
                select("WHERE node = ? AND state = ? ORDER BY requested_at, id", node, RepairState.PENDING)) {
            pending.putIfAbsent(record.repositoryId(), record);
        }
        return pending;
    }

    /** Every row of the node, oldest first. */
    public synchronized List<RepairRecord> repairs(String node) {
        return select("WHERE node = ? ORDER BY id", node, null);
    }

    /**
     * Settles the node's pending repairs against a whole listing of the node. A repair requested before
     * {@code listedAt} becomes {@code repaired} if its repository is not in {@code inconsistent}; otherwise it
     * counts one more check, and becomes {@code still-divergent} once it has had {@code verifyVets} checks and
     * {@code verifyAfter} has passed since the request. Repairs requested after {@code listedAt} are left alone:
     * the listing cannot show them.
     *
     * @param inconsistent ids of the repositories the listing found inconsistent, of any kind
     * @param listedAt when the listing was requested from the node
     * @param now the time to record
     * @return the repairs settled now
     */
    public synchronized List<Verification> verify(
            String node,
            Collection<Long> inconsistent,
            Instant listedAt,
            Instant now,
            int verifyVets,
            Duration verifyAfter) {
        Set<Long> stillWrong = Set.copyOf(inconsistent);
        List<Verification> settled = new ArrayList<>();
        try {
            connection().setAutoCommit(false);
            try (PreparedStatement settle = connection()
                            .prepareStatement("UPDATE repairs SET state = ?, verified_at = ?, checks = ?"
                                    + " WHERE id = ? AND state = 'pending'");
                    PreparedStatement count = connection()
                            .prepareStatement("UPDATE repairs SET checks = ? WHERE id = ? AND state = 'pending'")) {
                for (RepairRecord record :
                        select("WHERE node = ? AND state = ? ORDER BY id", node, RepairState.PENDING)) {
                    if (!record.requestedAt().isBefore(listedAt)) {
                        continue;
                    }
                    Duration age = Duration.between(record.requestedAt(), now);
                    if (!stillWrong.contains(record.repositoryId())) {
                        settle.setString(1, RepairState.REPAIRED.wireName());
                        settle.setObject(2, time(now));
                        settle.setInt(3, record.checks());
                        settle.setLong(4, record.id());
                        settle.executeUpdate();
                        settled.add(new Verification(
                                withState(record, RepairState.REPAIRED, now, record.checks()),
                                VerificationOutcome.REPAIRED,
                                age));
                        continue;
                    }
                    int checks = record.checks() + 1;
                    if (checks >= verifyVets && age.compareTo(verifyAfter) >= 0) {
                        settle.setString(1, RepairState.STILL_DIVERGENT.wireName());
                        settle.setObject(2, time(now));
                        settle.setInt(3, checks);
                        settle.setLong(4, record.id());
                        settle.executeUpdate();
                        settled.add(new Verification(
                                withState(record, RepairState.STILL_DIVERGENT, now, checks),
                                VerificationOutcome.STILL_DIVERGENT,
                                age));
                    } else {
                        count.setInt(1, checks);
                        count.setLong(2, record.id());
                        count.executeUpdate();
                    }
                }
            }
            connection().commit();
            db.sync();
            return settled;
        } catch (SQLException e) {
            db.rollback();
            throw failure("verify the pending repairs of " + node, e);
        } finally {
            db.autoCommit();
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
        return "repair ledger " + url;
    }

    /** The store's connection now: on PostgreSQL it is replaced after a lost connection. */
    private Connection connection() {
        return db.connection();
    }

    private List<RepairRecord> select(String where, String node, RepairState state) {
        String sql = "SELECT id, node, repository_id, project_id, kinds, requested_at, request, answer, state,"
                + " verified_at, attempts, checks FROM repairs " + where;
        try (PreparedStatement query = connection().prepareStatement(sql)) {
            query.setString(1, node);
            if (state != null) {
                query.setString(2, state.wireName());
            }
            List<RepairRecord> records = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    records.add(new RepairRecord(
                            rows.getLong(1),
                            rows.getString(2),
                            rows.getLong(3),
                            rows.getLong(4),
                            kinds(rows.getString(5)),
                            instant(rows.getObject(6, OffsetDateTime.class)),
                            rows.getString(7),
                            rows.getString(8),
                            RepairState.fromWireName(rows.getString(9)),
                            instant(rows.getObject(10, OffsetDateTime.class)),
                            rows.getInt(11),
                            rows.getInt(12)));
                }
            }
            return records;
        } catch (SQLException e) {
            throw failure("read the repairs of " + node, e);
        }
    }

    private LedgerException failure(String what, SQLException e) {
        return new LedgerException("repair ledger " + url + ": cannot " + what + ": " + e.getMessage(), e);
    }

    private static RepairRecord withState(RepairRecord r, RepairState state, Instant at, int checks) {
        return new RepairRecord(
                r.id(),
                r.node(),
                r.repositoryId(),
                r.projectId(),
                r.kinds(),
                r.requestedAt(),
                r.request(),
                r.answer(),
                state,
                at,
                r.attempts(),
                checks);
    }

    private static Set<Kind> kinds(String text) {
        EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (String name : text.split(",")) {
            if (!name.isBlank()) {
                kinds.add(Kind.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            }
        }
        return kinds;
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static String clip(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}

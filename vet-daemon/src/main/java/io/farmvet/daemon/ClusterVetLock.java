package io.farmvet.daemon;

import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.state.StateDatabase;
import io.farmvet.state.StateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vet at a time across the instances sharing a PostgreSQL state database: a session advisory lock on a
 * connection of its own, opened for the vet and closed after it (as Praefect's reconciler holds its lock). An
 * instance that dies (kill -9, host down) loses its connection and with it the lock, so no lease has to expire
 * and no row has to be cleaned up; the server notices a vanished host by the TCP keep-alives the session sets.
 *
 * <p>The holder writes its vet id and instance into {@code vet_lock_holder} with its backend pid; a refused
 * instance reads that row and believes it only when pg_locks shows that pid holding the lock, so a row left by a
 * dead instance is never reported as running. Thread-safe (synchronized; the runner calls it one flight at a time).
 */
final class ClusterVetLock implements VetLock {
    private static final Logger log = LoggerFactory.getLogger(ClusterVetLock.class);

    /**
     * The advisory lock's key: "fvet" in ASCII. Below 2^32, so pg_locks shows it as classid 0 and objid KEY; one
     * farm per database (the Quartz tables are named for one cluster too).
     */
    static final long KEY = 0x66766574L;

    /** How long {@link #confirm} waits for the database: a repair waits on it, and a dead database answers never. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(5);

    private final StateDatabase database;
    private final Supplier<String> instance;
    private Connection held; // guarded by this
    private String heldBy; // guarded by this: the id of the flight holding it

    ClusterVetLock(StateDatabase database, Supplier<String> instance) {
        this.database = database;
        this.instance = instance;
    }

    @Override
    public synchronized Optional<VetRunner.Flight> tryAcquire(VetRunner.Flight flight) {
        if (held != null) {
            // The runner releases before it claims again; a second holder in one process is a bug, not a vet.
            throw new IllegalStateException("the vet lock is held already by vet " + heldBy);
        }
        Connection connection;
        try {
            connection = StateStore.dedicatedConnection(database);
        } catch (SQLException e) {
            throw new VetLockException(
                    "no vet can start: the state database " + database + " cannot be reached for the cluster's vet"
                            + " lock: " + e.getMessage(),
                    e);
        }
        try {
            if (take(connection)) {
                record(connection, flight);
                held = connection;
                heldBy = flight.id();
                return Optional.empty();
            }
            Optional<VetRunner.Flight> holder = holder(connection);
            connection.close();
            return Optional.of(holder.orElseGet(() -> new VetRunner.Flight(
                    "unknown", flight.startedAt(), flight.request(), "another farmvet instance (starting its vet)")));
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new VetLockException(
                    "no vet can start: the cluster's vet lock in " + database + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void release(VetRunner.Flight flight) {
        if (held == null || !flight.id().equals(heldBy)) {
            return;
        }
        try (PreparedStatement unlock = held.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            unlock.setLong(1, KEY);
            unlock.execute();
        } catch (SQLException e) {
            // The connection is gone, and the lock with it; closing below is all there is left to do.
            log.info("vet {}: the vet lock's connection was lost before the release: {}", flight.id(), e.getMessage());
        }
        closeQuietly(held);
        held = null;
        heldBy = null;
    }

    /**
     * Asks the lock's own connection whether it still holds the lock, within {@link #CONFIRM_TIMEOUT}: a restarted
     * database has dropped the session and the lock with it, and another instance may hold it now.
     */
    @Override
    public synchronized void confirm(VetRunner.Flight flight) {
        if (held == null || !flight.id().equals(heldBy)) {
            throw lost(flight, "this instance does not hold it");
        }
        String sql = "SELECT COUNT(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND granted"
                + " AND classid::bigint = 0 AND objid::bigint = ? AND objsubid = 1";
        try {
            int before = held.getNetworkTimeout();
            held.setNetworkTimeout(Runnable::run, (int) CONFIRM_TIMEOUT.toMillis());
            try (PreparedStatement query = held.prepareStatement(sql)) {
                query.setLong(1, KEY);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next() || row.getLong(1) == 0) {
                        throw lost(flight, "its session no longer holds it");
                    }
                }
            } finally {
                held.setNetworkTimeout(Runnable::run, before);
            }
        } catch (SQLException e) {
            throw lost(flight, "its connection failed: " + e.getMessage());
        }
    }

    private LedgerException lost(VetRunner.Flight flight, String why) {
        return new LedgerException("vet " + flight.id() + " lost the cluster's vet lock in the state database "
                + database + " (state.database): " + why + "; another instance may be vetting now");
    }

    @Override
    public String instance() {
        return instance.get();
    }

    @Override
    public synchronized boolean held() {
        try {
            return held != null && !held.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean take(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, KEY);
            try (ResultSet row = lock.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private void record(Connection connection, VetRunner.Flight flight) throws SQLException {
        // Only the holder writes, and there is one holder: delete and insert need no transaction between them.
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM vet_lock_holder WHERE lock_key = ?")) {
            delete.setLong(1, KEY);
            delete.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO vet_lock_holder (lock_key, vet_id,"
                + " instance, trigger_kind, started_at, backend_pid) VALUES (?, ?, ?, ?, ?, pg_backend_pid())")) {
            insert.setLong(1, KEY);
            insert.setString(2, flight.id());
            insert.setString(3, instance.get());
            insert.setString(4, flight.request().trigger().wireName());
            insert.setObject(5, OffsetDateTime.ofInstant(flight.startedAt(), ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    /** The vet holding the lock, when its row is the live holder's. */
    private static Optional<VetRunner.Flight> holder(Connection connection) throws SQLException {
        String sql = "SELECT h.vet_id, h.instance, h.trigger_kind, h.started_at FROM vet_lock_holder h"
                + " JOIN pg_locks l ON l.pid = h.backend_pid"
                + " WHERE h.lock_key = ? AND l.locktype = 'advisory' AND l.granted AND l.classid::bigint = 0"
                + " AND l.objid::bigint = ? AND l.objsubid = 1"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setLong(1, KEY);
            query.setLong(2, KEY);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                VetRequest.Trigger trigger = VetRequest.Trigger.SCHEDULE;
                for (VetRequest.Trigger t : VetRequest.Trigger.values()) {
                    if (t.wireName().equals(row.getString(3))) {
                        trigger = t;
                    }
                }
                return Optional.of(new VetRunner.Flight(
                        row.getString(1),
                        row.getObject(4, OffsetDateTime.class).toInstant(),
                        new VetRequest(trigger, false, List.of()),
                        row.getString(2)));
            }
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing a broken connection fails; the session is over either way.
        }
    }
}

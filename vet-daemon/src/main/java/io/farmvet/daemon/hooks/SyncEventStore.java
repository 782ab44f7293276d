package io.farmvet.daemon.hooks;

import io.farmvet.report.SyncEvent;
import io.farmvet.state.StateDatabase;
import io.farmvet.state.StateStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The last sync event per (mirror, repository), in the state store's {@code sync_events} table, bounded to
 * {@value #MAX_EVENTS} rows no older than {@link #MAX_AGE}: each write prunes.
 *
 * <p>The store is opened for each call and closed after it, not held: the run history compacts the database only
 * while it is the one store open on it, and webhooks are rare enough (one per synced repository) to pay for the
 * open. Thread-safe: calls are serialized.
 */
public final class SyncEventStore {
    /** A report shows the events of its drifted repositories; ten thousand rows is far beyond a bad day's drift. */
    public static final int MAX_EVENTS = 10_000;
    /** An event older than a week says nothing about today's drift. */
    public static final Duration MAX_AGE = Duration.ofDays(7);

    private final StateDatabase database;

    public SyncEventStore(Path stateDir) {
        this(StateDatabase.h2(stateDir));
    }

    public SyncEventStore(StateDatabase database) {
        this.database = database;
    }

    /** Keeps each of {@code events} as the last of its (mirror, repository), durably, and prunes. */
    public synchronized void record(Collection<SyncEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        Instant newest = Instant.EPOCH;
        try (StateStore store = StateStore.open(database)) {
            store.connection().setAutoCommit(false);
            try {
                for (SyncEvent event : events) {
                    upsert(store, event);
                    newest = event.receivedAt().isAfter(newest) ? event.receivedAt() : newest;
                }
                prune(store, newest);
                store.connection().commit();
            } catch (SQLException | RuntimeException e) {
                store.rollback();
                throw e;
            } finally {
                store.autoCommit();
            }
            store.sync();
        }
    }

    /** The newest event of each repository, whichever mirror sent it, by repository id. */
    public synchronized Map<Long, SyncEvent> latestByRepository() throws SQLException {
        Map<Long, SyncEvent> latest = new HashMap<>();
        try (StateStore store = StateStore.open(database);
                PreparedStatement select = store.connection()
                        .prepareStatement("SELECT mirror, repository_id, sync_type, event_id, received_at"
                                + " FROM sync_events ORDER BY received_at");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                SyncEvent event = new SyncEvent(
                        rows.getString(1),
                        rows.getLong(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getObject(5, OffsetDateTime.class).toInstant());
                latest.put(event.repositoryId(), event); // ascending order: the newest wins
            }
        }
        return latest;
    }

    private static void upsert(StateStore store, SyncEvent event) throws SQLException {
        // UPDATE then INSERT rather than MERGE: the same two statements run on H2 and PostgreSQL, and calls are
        // serialized here (issue 14's cluster would keep the primary key as the arbiter: a lost race is a
        // duplicate-key error on an event that the retried delivery records).
        try (PreparedStatement update = store.connection()
                .prepareStatement("UPDATE sync_events SET sync_type = ?, event_id = ?, received_at = ?"
                        + " WHERE mirror = ? AND repository_id = ?")) {
            update.setString(1, event.syncType());
            update.setString(2, event.eventId());
            update.setObject(3, time(event.receivedAt()));
            update.setString(4, event.mirror());
            update.setLong(5, event.repositoryId());
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = store.connection()
                .prepareStatement("INSERT INTO sync_events (mirror, repository_id, sync_type, event_id, received_at)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, event.mirror());
            insert.setLong(2, event.repositoryId());
            insert.setString(3, event.syncType());
            insert.setString(4, event.eventId());
            insert.setObject(5, time(event.receivedAt()));
            insert.executeUpdate();
        }
    }

    private static void prune(StateStore store, Instant now) throws SQLException {
        try (PreparedStatement old =
                store.connection().prepareStatement("DELETE FROM sync_events WHERE received_at < ?")) {
            old.setObject(1, time(now.minus(MAX_AGE)));
            old.executeUpdate();
        }
        Object oldestKept = null;
        try (PreparedStatement cut = store.connection()
                .prepareStatement("SELECT received_at FROM sync_events ORDER BY received_at DESC"
                        + " OFFSET ? ROWS FETCH NEXT 1 ROWS ONLY")) {
            cut.setInt(1, MAX_EVENTS - 1);
            try (ResultSet row = cut.executeQuery()) {
                if (row.next()) {
                    oldestKept = row.getObject(1, OffsetDateTime.class);
                }
            }
        }
        if (oldestKept != null) {
            try (PreparedStatement over =
                    store.connection().prepareStatement("DELETE FROM sync_events WHERE received_at < ?")) {
                over.setObject(1, oldestKept);
                over.executeUpdate();
            }
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

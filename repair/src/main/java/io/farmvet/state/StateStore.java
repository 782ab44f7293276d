package io.farmvet.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * farmvet's state: one embedded H2 database under {@code state.dir} holding the repair ledger and the daemon's run
 * history, its schema brought up to date by Flyway from the SQL files under {@value #MIGRATIONS} (one sequence for
 * the whole database). H2 locks the file: one farmvet process at a time.
 *
 * <p>farmvet owns the shutdown order, not H2: the database is opened with {@code DB_CLOSE_ON_EXIT=FALSE}, so H2's
 * own shutdown hook does not close it under a vet that is still being recorded (issue 11); it closes when the
 * last {@code StateStore} on it closes. A process killed without closing leaves what was synced, as after a crash.
 *
 * <p>A database written by farmvet 0.1 (its own {@code schema_version} table, no Flyway history) is upgraded in
 * place: {@link LegacySchema} checks it and Flyway baselines it at version 0, and the migrations, written to find
 * 0.1's tables already there, add what is new.
 *
 * <p>On PostgreSQL ({@code state.database}, issue 14) the store borrows one connection of the process's pool
 * ({@link PostgresqlPool}) instead, and gives it back on {@link #close}; the schema is migrated once per pool, with
 * the PostgreSQL-only migrations of {@value #POSTGRESQL_MIGRATIONS} (Quartz's tables) in the same version sequence:
 * a version number is used once across both folders. Flyway's own advisory lock keeps two instances starting at
 * once from both migrating. A commit there is durable when it returns, so {@link #sync} has nothing to do, and
 * {@link #compact} is PostgreSQL's autovacuum's job.
 *
 * <p>One connection per store, replaced by {@link #compact} (and on PostgreSQL when the pool evicted it after a
 * lost connection): ask {@link #connection} for it each time. Not thread-safe by itself: the owning component
 * synchronizes.
 */
public final class StateStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);

    /** The database file's name under {@code state.dir}; H2 adds {@code .mv.db}. */
    public static final String DATABASE_NAME = "farmvet";
    /** Where the migrations are on the class path. */
    static final String MIGRATIONS = "classpath:io/farmvet/state/migration";
    /** The migrations only PostgreSQL runs (Quartz's JDBC job store, the vet lock's holder). */
    static final String POSTGRESQL_MIGRATIONS = "classpath:io/farmvet/state/postgresql";
    /**
     * The migrations' {@code ${large_binary}}: H2's BLOB keeps a report out of its row, so listing the history
     * does not read every report; PostgreSQL's equivalent is BYTEA (issue 14 sets it there).
     */
    static final Map<String, String> H2_PLACEHOLDERS = Map.of("large_binary", "BLOB");

    static final Map<String, String> POSTGRESQL_PLACEHOLDERS = Map.of("large_binary", "BYTEA");

    /** Guards {@link #OPEN}, and keeps two components opening at once in one process from both migrating. */
    private static final Object LOCK = new Object();
    /** Stores open in this process, by URL: {@link #compact} closes the database, so only the last one may. */
    private static final Map<String, Integer> OPEN = new HashMap<>();

    private Connection connection;
    private final StateDatabase database;
    private final String url;
    private final Path file;
    /** The pool on PostgreSQL; null on H2. */
    private final DataSource pool;

    private StateStore(Connection connection, StateDatabase database, DataSource pool) {
        this.connection = connection;
        this.database = database;
        this.url = database.url();
        this.file = database.isPostgresql() ? null : file(database.dir());
        this.pool = pool;
    }

    /** The JDBC URL of the database under {@code stateDir}. */
    public static String jdbcUrl(Path stateDir) {
        return "jdbc:h2:file:" + base(stateDir) + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The database file under {@code stateDir}. */
    public static Path file(Path stateDir) {
        return Path.of(base(stateDir) + ".mv.db");
    }

    /**
     * Opens (creating if need be) the database under {@code stateDir} and migrates it to this farmvet's schema.
     *
     * @throws SQLException it cannot be opened, is read-only, cannot be migrated, or a newer farmvet wrote it; the
     *     message says what to do
     */
    public static StateStore open(Path stateDir) throws SQLException {
        return open(StateDatabase.h2(stateDir));
    }

    /**
     * Opens the state database, migrating it first if this process has not yet (see the class doc).
     *
     * @throws SQLException as {@link #open(Path)}, or PostgreSQL cannot be reached or refuses the login
     */
    public static StateStore open(StateDatabase database) throws SQLException {
        if (database.isPostgresql()) {
            DataSource pool = pool(database);
            return new StateStore(pool.getConnection(), database, pool);
        }
        String url = database.url();
        synchronized (LOCK) {
            StateStore store = new StateStore(DriverManager.getConnection(url, "sa", ""), database, null);
            try {
                store.refuseReadOnly();
                store.migrate();
            } catch (SQLException | RuntimeException e) {
                store.connection.close();
                throw e;
            }
            OPEN.merge(url, 1, Integer::sum);
            return store;
        }
    }

    /**
     * The pool of a PostgreSQL state database (migrated), for Quartz's job store to share.
     *
     * @throws SQLException as {@link #open(StateDatabase)}
     */
    public static DataSource pool(StateDatabase database) throws SQLException {
        return PostgresqlPool.of(database, pool -> {
            StateStore store = new StateStore(pool.getConnection(), database, pool);
            try (store) {
                store.migrate();
            }
        });
    }

    /**
     * A PostgreSQL connection outside the pool, with the pool's session timeouts: for a session lock, which must
     * end with its own connection and with nothing else. The caller closes it.
     */
    public static Connection dedicatedConnection(StateDatabase database) throws SQLException {
        if (!database.isPostgresql()) {
            throw new IllegalArgumentException("a dedicated connection is for PostgreSQL, not " + database);
        }
        return PostgresqlPool.dedicated(database);
    }

    /**
     * The store's connection. On PostgreSQL, one the pool has evicted (the database went away) is replaced by a
     * fresh one, so a store held for the daemon's life works again once the database is back.
     */
    public Connection connection() {
        if (pool != null) {
            try {
                if (connection.isClosed()) {
                    connection = pool.getConnection();
                }
            } catch (SQLException e) {
                // Still down: the closed connection stays, and the caller's statement fails with its own context.
                log.debug("state database {}: no connection yet: {}", database, e.getMessage());
            }
        }
        return connection;
    }

    public StateDatabase database() {
        return database;
    }

    public String url() {
        return url;
    }

    /** The schema version the database is at: the newest migration applied. */
    public String schemaVersion() {
        MigrationInfo current = flyway(false).info().current();
        return current == null ? "0" : current.getVersion().getVersion();
    }

    /**
     * Forces what is committed to disk. H2's MVStore otherwise writes commits in the background up to a second
     * later, and a crash in that second would forget a sent repair (which could then be sent twice) or a run
     * already reported as recorded.
     */
    public void sync() throws SQLException {
        if (pool != null) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
        }
    }

    /**
     * Gives the space of deleted rows back to the file system, when this is the only store open on the database
     * in this process: H2 rewrites the file with only its live pages ({@code SHUTDOWN COMPACT}), which closes the
     * database, and this store reconnects. H2 reuses the space of deleted rows only after they have been dead for
     * its retention time (45 s), so a daemon that writes large reports often keeps growing the file; and H2's
     * online compaction ({@code MVStore.compactFile}) fails its own assertions on a live database (2.3.232).
     *
     * @return whether it compacted; false when another store is open (the caller tries again later)
     */
    public boolean compact() throws SQLException {
        if (pool != null) {
            return false;
        }
        synchronized (LOCK) {
            if (OPEN.getOrDefault(url, 0) != 1) {
                return false;
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("SHUTDOWN COMPACT");
            }
            connection.close();
            try {
                connection = DriverManager.getConnection(url, "sa", "");
            } catch (SQLException e) {
                OPEN.remove(url); // this store is closed now, and says so on its next use
                throw e;
            }
            return true;
        }
    }

    /** Rolls back after a failure; a failure of the rollback itself is left to the original one to report. */
    public void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is the one to report; a failed rollback ends with the connection anyway.
        }
    }

    /** Back to auto-commit after a transaction, whatever happened in it. */
    public void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // As above: the connection is broken and the next call will say so with its own context.
        }
    }

    @Override
    public void close() throws SQLException {
        if (pool != null) {
            connection.close(); // back to the pool
            return;
        }
        synchronized (LOCK) {
            if (!connection.isClosed()) {
                OPEN.computeIfPresent(url, (u, n) -> n == 1 ? null : n - 1);
            }
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "state store " + (file == null ? database : file);
    }

    private static String base(Path stateDir) {
        return stateDir.toAbsolutePath().normalize().resolve(DATABASE_NAME).toString();
    }

    /**
     * H2 opens a database file it cannot write read-only, without an error, and every write would fail later:
     * a ledger that cannot record a request must not be opened at all, and a run history that cannot record
     * runs must show as not ready (issue 6).
     */
    private void refuseReadOnly() throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT READONLY()")) {
            if (result.next() && result.getBoolean(1)) {
                throw new SQLException("the database is read-only; check that state.dir and the files in it are"
                        + " writable by farmvet and the disk is not mounted read-only");
            }
        }
    }

    private void migrate() throws SQLException {
        boolean legacy = !database.isPostgresql() && LegacySchema.check(connection, url);
        Flyway flyway = flyway(legacy);
        refuseNewer(flyway);
        try {
            MigrateResult result = flyway.migrate();
            if (result.migrationsExecuted > 0) {
                log.info(
                        "state store {}: schema migrated from version {} to {}{}",
                        file == null ? database : file,
                        result.initialSchemaVersion == null ? "0 (new)" : result.initialSchemaVersion,
                        result.targetSchemaVersion,
                        legacy ? " (a farmvet 0.1 database, upgraded in place)" : "");
            }
        } catch (FlywayException e) {
            throw new SQLException(
                    database + ": cannot bring the schema up to date: " + e.getMessage()
                            + "; if another farmvet version wrote this database, run that version, or point"
                            + (database.isPostgresql()
                                    ? " state.database at another database"
                                    : " state.dir at another folder"),
                    e);
        }
        sync();
    }

    /**
     * Flyway by default ignores applied migrations it does not know ({@code ignoreMigrationPatterns=*:future}),
     * so a database from a newer farmvet would be written with an older schema in mind: refuse it instead.
     */
    private void refuseNewer(Flyway flyway) throws SQLException {
        MigrationVersion known = MigrationVersion.EMPTY;
        MigrationVersion newest = MigrationVersion.EMPTY;
        for (MigrationInfo migration : flyway.info().all()) {
            MigrationVersion version = migration.getVersion();
            if (version == null) {
                continue;
            }
            if (migration.getState() == MigrationState.FUTURE_SUCCESS
                    || migration.getState() == MigrationState.FUTURE_FAILED) {
                newest = version.compareTo(newest) > 0 ? version : newest;
            } else if (migration.getState() != MigrationState.BASELINE) {
                known = version.compareTo(known) > 0 ? version : known;
            }
        }
        if (newest != MigrationVersion.EMPTY) {
            throw new SQLException(url + " holds state schema version " + newest + ", written by a newer farmvet;"
                    + " this one knows up to " + known + ": run the newer farmvet, or point state.dir at another"
                    + " folder");
        }
    }

    private Flyway flyway(boolean baselineLegacy) {
        var flyway = Flyway.configure(StateStore.class.getClassLoader());
        if (pool != null) {
            flyway.dataSource(pool).locations(MIGRATIONS, POSTGRESQL_MIGRATIONS).placeholders(POSTGRESQL_PLACEHOLDERS);
        } else {
            flyway.dataSource(url, "sa", "").locations(MIGRATIONS).placeholders(H2_PLACEHOLDERS);
        }
        return flyway.baselineOnMigrate(baselineLegacy)
                .baselineVersion("0")
                .baselineDescription("farmvet 0.1 schema_version")
                .load();
    }
}

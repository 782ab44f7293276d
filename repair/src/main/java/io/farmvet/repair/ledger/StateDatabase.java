package io.farmvet.repair.ledger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * farmvet's embedded H2 database under {@code state.dir}, one file shared by its components (the repair ledger,
 * the daemon's run history). Each component migrates its own tables and records its version in {@code
 * schema_version(component, version)}, so they evolve apart. H2 locks the file: one farmvet process at a time.
 *
 * <p>One connection per component; not thread-safe by itself: the owning component synchronizes.
 */
public final class StateDatabase implements AutoCloseable {
    /** The database file's name under {@code state.dir}; H2 adds {@code .mv.db}. */
    public static final String DATABASE_NAME = "farmvet";

    private final Connection connection;
    private final String url;

    private StateDatabase(Connection connection, String url) {
        this.connection = connection;
        this.url = url;
    }

    /** The JDBC URL of the database under {@code stateDir}. */
    public static String jdbcUrl(Path stateDir) {
        return "jdbc:h2:file:" + stateDir.toAbsolutePath().normalize().resolve(DATABASE_NAME);
    }

    /**
     * Opens (creating if need be) the database under {@code stateDir} and brings {@code component}'s tables to
     * the version this farmvet knows.
     *
     * @param migrations index i brings the component's schema from version i to i + 1
     * @throws SQLException it cannot be opened or migrated, or a newer farmvet wrote a later version
     */
    public static StateDatabase open(Path stateDir, String component, List<List<String>> migrations)
            throws SQLException {
        String url = jdbcUrl(stateDir);
        StateDatabase db = new StateDatabase(DriverManager.getConnection(url, "sa", ""), url);
        try {
            db.refuseReadOnly();
            db.migrate(component, migrations);
            return db;
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public Connection connection() {
        return connection;
    }

    public String url() {
        return url;
    }

    /** The schema version of {@code component} as stored; 0 before its first migration. */
    public int storedVersion(String component) throws SQLException {
        try (PreparedStatement query =
                connection.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
            query.setString(1, component);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    /**
     * Forces what is committed to disk. H2's MVStore otherwise writes commits in the background up to a second
     * later, and a crash in that second would forget a sent repair (which could then be sent twice) or a run
     * already reported as recorded.
     */
    public void sync() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
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
        connection.close();
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

    private void migrate(String component, List<List<String>> migrations) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (component VARCHAR(64) PRIMARY KEY,"
                    + " version INT NOT NULL, applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)");
        }
        int version = storedVersion(component);
        if (version > migrations.size()) {
            throw new SQLException(url + " holds " + component + " schema version " + version
                    + ", written by a newer farmvet; this one knows up to " + migrations.size()
                    + ": run the newer farmvet, or point state.dir at another folder");
        }
        for (int next = version; next < migrations.size(); next++) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : migrations.get(next)) {
                    statement.execute(sql);
                }
                try (PreparedStatement mark = connection.prepareStatement(
                        "MERGE INTO schema_version (component, version, applied_at) KEY (component) VALUES (?, ?, ?)")) {
                    mark.setString(1, component);
                    mark.setInt(2, next + 1);
                    mark.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
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
    }
}

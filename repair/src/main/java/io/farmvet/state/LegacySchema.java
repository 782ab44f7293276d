package io.farmvet.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The schema of farmvet 0.1, before Flyway: a {@code schema_version(component, version)} table in which the
 * repair ledger ({@code repair}) and the run history ({@code history}) each recorded version 1 of their tables.
 * Such a database is upgraded in place; one that records a later version came from a farmvet this one does not
 * know, and is refused.
 */
final class LegacySchema {
    /** The newest version farmvet 0.1 wrote for either component. */
    static final int LAST_LEGACY_VERSION = 1;

    private LegacySchema() {}

    /**
     * Whether the database is one of farmvet 0.1 that Flyway has not migrated yet.
     *
     * @throws SQLException a component records a version farmvet 0.1 never wrote
     */
    static boolean check(Connection connection, String url) throws SQLException {
        if (!hasTable(connection, "schema_version") || hasTable(connection, "flyway_schema_history")) {
            return false;
        }
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT component, version FROM schema_version WHERE version > ? ORDER BY component")) {
            query.setInt(1, LAST_LEGACY_VERSION);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    throw new SQLException(url + " holds " + rows.getString(1) + " schema version " + rows.getInt(2)
                            + ", written by a newer farmvet; this one knows up to " + LAST_LEGACY_VERSION
                            + ": run the newer farmvet, or point state.dir at another folder");
                }
            }
        }
        return true;
    }

    private static boolean hasTable(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE LOWER(TABLE_NAME) = ? AND LOWER(TABLE_SCHEMA) = LOWER(CURRENT_SCHEMA)")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() && rows.getLong(1) > 0;
            }
        }
    }
}

package io.farmvet.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;

/**
 * What H2 offers only below SQL: compacting an open database file. H2's SQL can compact only while closing
 * ({@code SHUTDOWN COMPACT}), which a running daemon cannot do; its MVStore can, and this is where farmvet reaches
 * it. Embedded H2 only.
 */
final class H2Files {
    private H2Files() {}

    static void compact(Connection connection, Duration maxTime) throws SQLException {
        JdbcConnection h2 = connection.unwrap(JdbcConnection.class);
        if (!(h2.getSession() instanceof SessionLocal session)) {
            throw new SQLException("cannot compact a database that is not embedded: "
                    + connection.getMetaData().getURL());
        }
        session.getDatabase().getStore().compactFile((int) Math.min(Integer.MAX_VALUE, maxTime.toMillis()));
    }
}

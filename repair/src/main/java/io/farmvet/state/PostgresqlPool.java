package io.farmvet.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The process's one HikariCP pool per PostgreSQL state database, shared by the run history, the repair ledger, the
 * webhook events and Quartz's job store; and the dedicated connections that hold a session lock outside it.
 *
 * <p>Every session, pooled or not, runs with {@link #STATEMENT_TIMEOUT}, {@link #LOCK_TIMEOUT} and {@link
 * #IDLE_IN_TRANSACTION_TIMEOUT}, and the client gives up on a silent server after {@link #SOCKET_TIMEOUT}: a dead
 * session or a stuck lock then ends in an error that is logged, not in an instance that waits forever while
 * holding Quartz's row lock for the whole cluster. Thread-safe.
 */
final class PostgresqlPool {
    /**
     * Quartz's clustered store needs its threads + 3 connections at once (its doc: the misfire handler and the
     * cluster check-in each hold one besides the firing threads); farmvet's Quartz has 1 thread, so 4, and the
     * stores hold up to 3 more (the run history, a vet's ledger, a webhook's events). 10 leaves room.
     */
    static final int POOL_SIZE = 10;

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest statement farmvet runs is a report insert of a few MB; a minute means something is wrong. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);
    /** Quartz's row locks are held for milliseconds; a wait of this long is a session stuck holding one. */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(15);
    /** A transaction left open by a paused or half-dead client is ended by the server, with its row locks. */
    static final Duration IDLE_IN_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);
    /** Beyond the statement timeout: the server went silent (host down, network cut), not a slow statement. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(90);

    private static final Map<StateDatabase, HikariDataSource> POOLS = new HashMap<>();

    private PostgresqlPool() {}

    /**
     * The pool of {@code database}, made on first use; {@code migrate} runs once on a new pool, and a pool whose
     * migration failed is closed and made again on the next call.
     */
    static synchronized DataSource of(StateDatabase database, Migration migrate) throws SQLException {
        HikariDataSource pool = POOLS.get(database);
        if (pool != null) {
            return pool;
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("farmvet-state");
        config.setJdbcUrl(database.url());
        config.setUsername(database.username());
        config.setPassword(database.password());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECT_TIMEOUT.toMillis());
        config.setDataSourceProperties(sessionProperties());
        // Start even when the database is down: the daemon serves and says so on /-/ready, and retries.
        config.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(config);
        try {
            migrate.run(pool);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        POOLS.put(database, pool);
        return pool;
    }

    /** A connection of its own, outside the pool, with the same session settings; the caller closes it. */
    static Connection dedicated(StateDatabase database) throws SQLException {
        Properties properties = sessionProperties();
        properties.setProperty("user", database.username());
        properties.setProperty("password", database.password());
        return DriverManager.getConnection(database.url(), properties);
    }

    /** The PostgreSQL driver's properties: timeouts, keep-alives, and the server-side limits as startup options. */
    private static Properties sessionProperties() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
        p.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "farmvet");
        // The server drops a session whose client vanished (host down) after about a minute of silence, and with
        // it a session lock (the vet lock) that client held.
        p.setProperty(
                "options",
                "-c statement_timeout=" + STATEMENT_TIMEOUT.toMillis()
                        + " -c lock_timeout=" + LOCK_TIMEOUT.toMillis()
                        + " -c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_TIMEOUT.toMillis()
                        + " -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3");
        return p;
    }

    /** What a new pool's database must go through before use: the schema migration. */
    @FunctionalInterface
    interface Migration {
        void run(DataSource pool) throws SQLException;
    }
}

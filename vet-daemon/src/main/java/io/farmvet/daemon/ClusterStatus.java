package io.farmvet.daemon;

import io.farmvet.concurrent.NamedThreads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an instance of a cluster knows of the others, refreshed every {@link #PERIOD} from the state database so
 * that a scrape reads two fields and never waits on the database: how many instances have checked in with Quartz
 * lately, and this host's clock offset against the database's. Quartz's clustering compares check-in times
 * written by each instance's own clock, so clocks more than {@link #MAX_CLOCK_OFFSET} apart make it fail over
 * live instances (or miss dead ones): that is logged as a warning, each refresh it lasts. Thread-safe.
 */
final class ClusterStatus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterStatus.class);

    static final Duration PERIOD = Duration.ofSeconds(15);
    /** Quartz's clustering docs: the instances' clocks must agree within a second. */
    static final Duration MAX_CLOCK_OFFSET = Duration.ofSeconds(1);

    private final DataSource pool;
    private final Clock clock;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(NamedThreads.of("cluster-status"));
    private volatile double instances = Double.NaN;
    private volatile double clockOffsetSeconds = Double.NaN;
    /** Why the last refresh failed, for /-/ready; null once one succeeded after it. */
    private volatile String problem;

    ClusterStatus(DataSource pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Instances that checked in within two check-in intervals; NaN until known or while the database is away. */
    double instances() {
        return instances;
    }

    /** The database's clock minus this host's, in seconds; NaN until known. */
    double clockOffsetSeconds() {
        return clockOffsetSeconds;
    }

    /** Why the state database could not be read at the last refresh, or null when it could. */
    String problem() {
        return problem;
    }

    /** One refresh now. */
    void refresh() throws SQLException {
        String sql = "SELECT clock_timestamp(), (SELECT COUNT(*) FROM qrtz_scheduler_state WHERE sched_name = ?"
                + " AND last_checkin_time + 2 * checkin_interval >= EXTRACT(EPOCH FROM clock_timestamp()) * 1000)";
        try (Connection connection = pool.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, VetSchedule.CLUSTER_NAME);
            long before = clock.millis();
            try (ResultSet row = query.executeQuery()) {
                long after = clock.millis();
                row.next();
                long database =
                        row.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli();
                // The database read its clock somewhere in the round trip: its middle is the best guess.
                double offsetMs = database - (before + after) / 2.0;
                instances = row.getLong(2);
                clockOffsetSeconds = offsetMs / 1000.0;
                problem = null;
                if (Math.abs(offsetMs) > MAX_CLOCK_OFFSET.toMillis()) {
                    log.warn(
                            "this host's clock is {} ms {} the state database's (round trip {} ms); Quartz's"
                                    + " clustering needs the instances within {} ms of each other: check NTP here",
                            Math.round(Math.abs(offsetMs)),
                            offsetMs > 0 ? "behind" : "ahead of",
                            after - before,
                            MAX_CLOCK_OFFSET.toMillis());
                }
            }
        }
    }

    /** Like the HikariCP housekeeper: one failed refresh is logged, and the next one runs as scheduled. */
    private void refreshQuietly() {
        try {
            refresh();
        } catch (SQLException | RuntimeException e) {
            instances = Double.NaN;
            problem = e.getMessage();
            log.warn("cannot read the cluster's status from the state database: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package io.farmvet.daemon;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The Quartz side of the daemon: one cron trigger ({@code vet.schedule}) firing {@link VetJob}. With the embedded
 * H2 state it is a RAM job store (nothing to persist: a missed tick is simply the next one). With PostgreSQL
 * ({@code state.database}) it is Quartz's clustered JDBC store on the state database's pool, every instance under
 * the one scheduler name {@value #CLUSTER_NAME} with its own AUTO instance id: a tick fires on one instance, and
 * when that one dies another takes over its triggers after {@link #CLUSTER_CHECKIN_MS} or so. The tables and their
 * lock rows come from the state store's migrations (V5), not from Quartz.
 *
 * <p>Misfires (the machine slept, the JVM paused past {@link #MISFIRE_THRESHOLD_MS}) fire once now and go on
 * with the schedule, never a backlog. Thread-safe (Quartz's scheduler is).
 */
final class VetSchedule implements AutoCloseable {
    /** Quartz's own default: a tick late by more than a minute counts as missed and goes by the misfire policy. */
    static final long MISFIRE_THRESHOLD_MS = 60_000;

    /** Quartz keeps schedulers in a JVM-wide registry by name, and tests run several daemons in one JVM. */
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** The scheduler name of every instance of a cluster; V5__quartz_job_store.sql seeds its lock rows. */
    static final String CLUSTER_NAME = "farmvet";
    /** Quartz's default check-in: an instance silent for about twice this is failed over. */
    static final long CLUSTER_CHECKIN_MS = 7_500;
    /** A tick only claims the single flight and returns; the vet runs on the runner's thread. One is plenty. */
    static final int THREADS = 1;

    private static final JobKey JOB = JobKey.jobKey("vet", "farmvet");
    private static final TriggerKey TRIGGER = TriggerKey.triggerKey("vet.schedule", "farmvet");

    private final Scheduler scheduler;
    private volatile String cron;

    /** A RAM job store: one process on its own state. */
    VetSchedule(VetRunner runner) throws SchedulerException {
        this(runner, null);
    }

    /**
     * @param pool the state database's pool for a clustered JDBC store (PostgreSQL), or null for a RAM job store
     */
    VetSchedule(VetRunner runner, DataSource pool) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_MAKE_SCHEDULER_THREAD_DAEMON, "true");
        p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MS));
        if (pool == null) {
            p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "farmvet-" + INSTANCES.incrementAndGet());
            p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        } else {
            // Quartz finds its data source by name in a JVM-wide registry; the state store's pool is handed over as
            // it is (no second pool: Quartz's threads + 3 connections are within PostgresqlPool's size).
            String dataSource = "farmvet-state-" + INSTANCES.incrementAndGet();
            DBConnectionManager.getInstance().addConnectionProvider(dataSource, new PoolProvider(pool));
            p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, CLUSTER_NAME);
            p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
            p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", PostgreSQLDelegate.class.getName());
            p.setProperty("org.quartz.jobStore.dataSource", dataSource);
            p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CLUSTER_CHECKIN_MS));
        }
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.setJobFactory((bundle, s) -> new VetJob(runner));
    }

    /**
     * Schedules the vet on {@code cron} and starts firing. In a cluster the job and its trigger may be stored
     * already by another instance: they are kept, and moved only if their cron expression differs (the config
     * of the instance that started last wins, as a reload would).
     */
    void start(String cron) throws SchedulerException {
        if (scheduler.getTrigger(TRIGGER) == null) {
            JobDetail job = JobBuilder.newJob(VetJob.class).withIdentity(JOB).build();
            try {
                scheduler.scheduleJob(job, trigger(cron));
            } catch (ObjectAlreadyExistsException e) {
                // Another instance stored it between the two calls: the same job, checked below like any other.
            }
        }
        this.cron = storedCron();
        reschedule(cron);
        scheduler.start();
    }

    /** Moves the vet to a new cron expression, if it changed; the next tick follows the new one. */
    void reschedule(String newCron) throws SchedulerException {
        if (newCron.equals(cron)) {
            return;
        }
        scheduler.rescheduleJob(TRIGGER, trigger(newCron));
        cron = newCron;
    }

    /** The cron expression the store holds for the vet's trigger; null when it holds none. */
    private String storedCron() throws SchedulerException {
        return scheduler.getTrigger(TRIGGER) instanceof CronTrigger stored ? stored.getCronExpression() : null;
    }

    boolean started() {
        try {
            return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode();
        } catch (SchedulerException e) {
            return false;
        }
    }

    String cron() {
        return cron;
    }

    /** Stops firing; a tick in progress returns at once (it only claims the flight), so waiting for it is cheap. */
    @Override
    public void close() throws SchedulerException {
        scheduler.shutdown(true);
    }

    /** Quartz's door to the state store's pool; the pool outlives the scheduler, so shutdown leaves it open. */
    private record PoolProvider(DataSource pool) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void shutdown() {}

        @Override
        public void initialize() {}
    }

    private static Trigger trigger(String cron) {
        return TriggerBuilder.newTrigger()
                .withIdentity(TRIGGER)
                .forJob(JOB)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionFireAndProceed())
                .build();
    }
}

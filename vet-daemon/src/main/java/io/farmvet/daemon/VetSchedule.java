package io.farmvet.daemon;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The Quartz side of the daemon: one cron trigger ({@code vet.schedule}) firing {@link VetJob}, in a RAM job
 * store (nothing to persist: a missed tick is simply the next one, and a later issue adds clustering).
 *
 * <p>Misfires (the machine slept, the JVM paused past {@link #MISFIRE_THRESHOLD_MS}) fire once now and go on
 * with the schedule, never a backlog. Thread-safe (Quartz's scheduler is).
 */
final class VetSchedule implements AutoCloseable {
    /** Quartz's own default: a tick late by more than a minute counts as missed and goes by the misfire policy. */
    static final long MISFIRE_THRESHOLD_MS = 60_000;

    /** Quartz keeps schedulers in a JVM-wide registry by name, and tests run several daemons in one JVM. */
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final JobKey JOB = JobKey.jobKey("vet", "farmvet");
    private static final TriggerKey TRIGGER = TriggerKey.triggerKey("vet.schedule", "farmvet");

    private final Scheduler scheduler;
    private volatile String cron;

    VetSchedule(VetRunner runner) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "farmvet-" + INSTANCES.incrementAndGet());
        p.setProperty(StdSchedulerFactory.PROP_SCHED_MAKE_SCHEDULER_THREAD_DAEMON, "true");
        p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        // A tick only claims the single flight and returns; the vet runs on the runner's thread. One is plenty.
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MS));
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.setJobFactory((bundle, s) -> new VetJob(runner));
    }

    /** Schedules the vet on {@code cron} and starts firing. */
    void start(String cron) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(VetJob.class).withIdentity(JOB).build();
        scheduler.scheduleJob(job, trigger(cron));
        this.cron = cron;
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

    private static Trigger trigger(String cron) {
        return TriggerBuilder.newTrigger()
                .withIdentity(TRIGGER)
                .forJob(JOB)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionFireAndProceed())
                .build();
    }
}

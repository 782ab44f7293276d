package io.farmvet.daemon;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduled tick: asks the {@link VetRunner} for a vet and returns at once; the vet runs on the runner's thread.
 * A tick that finds a vet running logs and skips, so a slow vet never builds a backlog of ticks behind it.
 *
 * <p>It never throws: Quartz may unschedule or refire a job that does, and one bad tick must not stop the next
 * (HikariCP's housekeeper works the same way). {@code @DisallowConcurrentExecution} keeps two ticks from claiming
 * at once even if Quartz fires a misfired tick while the current one is still returning.
 */
@DisallowConcurrentExecution
final class VetJob implements Job {
    private static final Logger log = LoggerFactory.getLogger(VetJob.class);

    private final VetRunner runner;

    VetJob(VetRunner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext context) {
        // The tick's scheduled time names it in the log: in a cluster each appears on one instance only.
        log.info("scheduled tick of {} fired", context.getScheduledFireTime().toInstant());
        try {
            VetRunner.Start start = runner.start(VetRequest.SCHEDULED);
            if (start.stopping()) {
                log.info("scheduled vet skipped: farmvet is stopping");
            } else if (start.problem() != null) {
                log.warn("scheduled vet skipped: {}", start.problem());
            } else if (!start.started()) {
                log.info(
                        "scheduled vet skipped: vet {} (started {} by {}{}) is still running",
                        start.flight().id(),
                        start.flight().startedAt(),
                        start.flight().request().trigger().wireName(),
                        start.flight().instance() == null
                                ? ""
                                : " on " + start.flight().instance());
            }
        } catch (RuntimeException | LinkageError e) {
            log.error("scheduled tick failed; the next one runs as scheduled", e);
        }
    }
}

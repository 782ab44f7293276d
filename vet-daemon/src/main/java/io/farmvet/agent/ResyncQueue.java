package io.farmvet.agent;

import io.farmvet.agent.RepositoryIndex.Location;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.git.MirrorSync;
import io.farmvet.git.MirrorSyncException;
import io.farmvet.util.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs resyncs in the background on a bounded pool, at most one job per repository: a request for a repository
 * whose job is queued or running joins that job (the vet gets 202 again and no second fetch happens). The number
 * of pending jobs is bounded too ({@code maxPending}); beyond it {@link #submit} refuses, and the agent answers
 * 429 so the vet retries later.
 *
 * <p>A job that fails is logged (the message names the repository and the masked upstream URL) and dropped: the
 * vet's next run sees the repository still differs and asks again.
 *
 * <p>Thread-safe.
 */
final class ResyncQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncQueue.class);

    enum Action {
        /** Fetch (or clone, when absent) and take the upstream's default branch. */
        FETCH,
        /** Move to the quarantine folder. */
        QUARANTINE
    }

    enum JobState {
        QUEUED,
        RUNNING;

        String wireName() {
            return this == QUEUED ? "queued" : "running";
        }
    }

    /** What {@link #submit} did: the job's state, and whether the request joined an existing job. */
    record Submission(JobState state, boolean joined) {}

    /** Too many jobs pending, or a job of another action is pending for the repository. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean busy;

        Refused(String message, boolean busy) {
            super(message);
            this.busy = busy;
        }
    }

    private final class Job implements Runnable {
        final long repositoryId;
        final Location location;
        final Action action;
        volatile JobState state = JobState.QUEUED;

        Job(long repositoryId, Location location, Action action) {
            this.repositoryId = repositoryId;
            this.location = location;
            this.action = action;
        }

        @Override
        public void run() {
            state = JobState.RUNNING;
            long startNanos = System.nanoTime();
            try {
                beforeRun.accept(repositoryId);
                MirrorSync.Result result = action == Action.QUARANTINE
                        ? sync.quarantine(location.projectKey(), location.slug())
                        : sync.sync(location.projectKey(), location.slug());
                if (result.action() == MirrorSync.Action.QUARANTINED) {
                    index.removed(location);
                    records.forget(repositoryId);
                } else {
                    index.added(location);
                    records.succeeded(repositoryId, location, clock.instant());
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                LOG.info(
                        "resync {} ({}): {} {} in {}, {}, HEAD {}{}",
                        location,
                        repositoryId,
                        result.action().name().toLowerCase(Locale.ROOT),
                        result.path(),
                        Units.millis(ms),
                        Units.count(result.refUpdates(), "ref update", "ref updates"),
                        result.head().isEmpty() ? "(none)" : result.head(),
                        result.note().isEmpty() ? "" : "; " + result.note());
                completed.incrementAndGet();
            } catch (MirrorSyncException | RuntimeException e) {
                failed.incrementAndGet();
                records.failed(repositoryId, location);
                LOG.warn(
                        "resync {} ({}) failed; the next vet will ask again: {}",
                        location,
                        repositoryId,
                        e.getMessage());
            } finally {
                finish(this);
            }
        }
    }

    private final MirrorSync sync;
    private final RepositoryIndex index;
    private final SyncRecords records;
    private final java.time.Clock clock;
    private final int maxPending;
    private final LongConsumer beforeRun;
    private final ThreadPoolExecutor pool;
    private final Map<Long, Job> jobs = new HashMap<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param records where each job's outcome is recorded, for the agent's repoSyncStatus (issue 12)
     * @param beforeRun called on the worker thread as a job starts; tests use it to hold a job while they send
     *     duplicates
     */
    ResyncQueue(
            MirrorSync sync,
            RepositoryIndex index,
            SyncRecords records,
            java.time.Clock clock,
            int concurrency,
            int maxPending,
            LongConsumer beforeRun) {
        this.sync = sync;
        this.index = index;
        this.records = records;
        this.clock = clock;
        this.maxPending = maxPending;
        this.beforeRun = beforeRun;
        // The queue needs no bound of its own: submit() keeps at most maxPending jobs.
        this.pool = new ThreadPoolExecutor(
                concurrency,
                concurrency,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                NamedThreads.of("resync"));
    }

    /**
     * Queues a job for the repository or joins the pending one.
     *
     * @throws Refused {@code busy} true: {@code maxPending} jobs are pending; false: a job with another action is
     *     pending for this repository
     */
    synchronized Submission submit(long repositoryId, Location location, Action action) throws Refused {
        Job pending = jobs.get(repositoryId);
        if (pending != null) {
            if (pending.action != action) {
                throw new Refused(
                        "a " + pending.action.name().toLowerCase(Locale.ROOT) + " of " + location + " is already "
                                + pending.state.wireName() + "; ask again once it is done",
                        false);
            }
            return new Submission(pending.state, true);
        }
        if (pool.isShutdown()) {
            throw new Refused("the agent is stopping", true);
        }
        if (jobs.size() >= maxPending) {
            throw new Refused(maxPending + " resyncs are already pending; retry later", true);
        }
        Job job = new Job(repositoryId, location, action);
        jobs.put(repositoryId, job);
        pool.execute(job);
        return new Submission(JobState.QUEUED, false);
    }

    private synchronized void finish(Job job) {
        jobs.remove(job.repositoryId, job);
    }

    /** Jobs queued or running. */
    synchronized int pending() {
        return jobs.size();
    }

    long completed() {
        return completed.get();
    }

    long failed() {
        return failed.get();
    }

    /**
     * Drops queued jobs, lets running ones finish for up to {@code bound}, then interrupts them.
     *
     * @return true if every running job finished within the bound
     */
    boolean stop(Duration bound) throws InterruptedException {
        List<Runnable> dropped = new ArrayList<>();
        synchronized (this) {
            pool.shutdown();
            pool.getQueue().drainTo(dropped);
            for (Runnable runnable : dropped) {
                jobs.remove(((Job) runnable).repositoryId);
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info(
                    "stopping: {} dropped; the next vet will ask again",
                    Units.count(dropped.size(), "queued resync", "queued resyncs"));
        }
        if (pool.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        LOG.warn("stopping: resyncs still running after {} are interrupted", Units.duration(bound));
        pool.shutdownNow();
        return false;
    }
}

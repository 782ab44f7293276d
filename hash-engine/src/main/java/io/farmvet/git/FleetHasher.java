package io.farmvet.git;

import io.farmvet.concurrent.NamedThreads;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jgit.lib.Constants;

/**
 * Hashes every repository of a node: walks {@code DIR/<project-key>/<slug>.git} and hashes the repositories in
 * parallel on a bounded pool, handing each {@link RepositoryOutcome} to a consumer as soon as it is ready, so a
 * node agent can stream its listing while it is computed. Outcomes arrive in completion order, not grouped by
 * project.
 *
 * <p>What is visited: each directory directly under {@code DIR} is a project; each directory directly in a
 * project whose name ends in {@code .git} is a repository. Other entries (files, directories without {@code
 * .git}) are skipped silently. Symbolic links are never followed, so the walk cannot leave {@code DIR} or visit
 * a repository twice under two names: a link in the place of a project or a {@code .git} repository is reported
 * as a {@link RepositoryOutcome.Failed} (a repository that silently vanished from a node's listing would look
 * like a missing mirror copy; an outcome says why). {@code DIR} itself may be a link; it is resolved once.
 * Links inside a repository (e.g. an alternates setup) are JGit's business.
 *
 * <p>Failures are per repository: an unreadable repository or project becomes a {@code Failed} outcome and the
 * walk goes on. Only a root that cannot be listed, an interrupt, or a consumer that throws ends the walk.
 *
 * <p>Thread-safe; walks may run concurrently and share the {@link RepositoryHasher}'s cache. Each walk uses its
 * own pool of {@code parallelism} threads, shut down before {@link #hashAll} returns. At most {@code 2 x
 * parallelism} repositories are queued at a time, so memory does not grow with the number of repositories.
 */
public final class FleetHasher {
    public static final int DEFAULT_PARALLELISM = Runtime.getRuntime().availableProcessors();

    private static final AtomicInteger WALK_NUMBER = new AtomicInteger();

    private final RepositoryHasher hasher;
    private final int parallelism;

    public FleetHasher(RepositoryHasher hasher) {
        this(hasher, DEFAULT_PARALLELISM);
    }

    /** @param parallelism repositories hashed at the same time, 1 or more */
    public FleetHasher(RepositoryHasher hasher, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism: must be 1 or greater (got " + parallelism + ")");
        }
        this.hasher = hasher;
        this.parallelism = parallelism;
    }

    public int parallelism() {
        return parallelism;
    }

    /**
     * Hashes every repository under {@code root} and returns when all outcomes have been delivered.
     *
     * @param consumer called once per outcome from pool threads, never concurrently (calls are serialised, so
     *     it may write to a plain stream); if it throws, no further repository is started and the exception is
     *     rethrown here once running hashes have finished
     * @throws IOException {@code root} is not a directory or cannot be listed
     * @throws InterruptedException the calling thread was interrupted; running hashes are abandoned
     */
    public FleetSummary hashAll(Path root, Consumer<? super RepositoryOutcome> consumer)
            throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        Path realRoot = root.toRealPath();
        if (!Files.isDirectory(realRoot)) {
            throw new IOException(root + ": not a directory");
        }
        Walk walk = new Walk(consumer);
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, threadFactory());
        try {
            for (Path project : sortedEntries(realRoot)) {
                if (walk.aborted()) {
                    break;
                }
                visitProject(project, walk, pool);
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // A repository on a hung NFS mount can take long; keep waiting, the caller can interrupt.
            }
        } catch (InterruptedException | IOException | RuntimeException e) {
            // Outcomes of hashes still running must not reach the consumer after we have returned.
            walk.cancelled = true;
            pool.shutdownNow();
            throw e;
        }
        RuntimeException consumerFailure = walk.consumerFailure.get();
        if (consumerFailure != null) {
            throw consumerFailure;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        return new FleetSummary(walk.hashed.get(), walk.failed.get(), elapsedMs);
    }

    private void visitProject(Path project, Walk walk, ExecutorService pool) throws InterruptedException {
        BasicFileAttributes attrs;
        List<Path> repositories;
        try {
            attrs = Files.readAttributes(project, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                walk.deliver(new RepositoryOutcome.Failed(
                        project, new IOException(project + ": project is a symbolic link, not followed")));
                return;
            }
            if (!attrs.isDirectory()) {
                return;
            }
            repositories = sortedEntries(project);
        } catch (IOException e) {
            walk.deliver(new RepositoryOutcome.Failed(project, e));
            return;
        }
        String projectKey = project.getFileName().toString();
        for (Path repository : repositories) {
            if (walk.aborted()) {
                return;
            }
            String name = repository.getFileName().toString();
            if (!name.endsWith(Constants.DOT_GIT_EXT)) {
                continue;
            }
            try {
                BasicFileAttributes repoAttrs =
                        Files.readAttributes(repository, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (repoAttrs.isSymbolicLink()) {
                    walk.deliver(new RepositoryOutcome.Failed(
                            repository, new IOException(repository + ": repository is a symbolic link, not followed")));
                    continue;
                }
                if (!repoAttrs.isDirectory()) {
                    continue;
                }
            } catch (IOException e) {
                walk.deliver(new RepositoryOutcome.Failed(repository, e));
                continue;
            }
            String slug = name.substring(0, name.length() - Constants.DOT_GIT_EXT.length());
            walk.slots.acquire();
            try {
                pool.execute(() -> {
                    try {
                        walk.deliver(hashOne(repository, projectKey, slug));
                    } finally {
                        walk.slots.release();
                    }
                });
            } catch (RuntimeException e) {
                walk.slots.release();
                throw e;
            }
        }
    }

    private RepositoryOutcome hashOne(Path repository, String projectKey, String slug) {
        try {
            return new RepositoryOutcome.Hashed(repository, hasher.hash(repository, projectKey, slug));
        } catch (RepositoryHashException | RuntimeException e) {
            // RuntimeException: a name that is not a valid key or slug, or a JGit bug on odd input. Either way
            // it concerns this repository only.
            return new RepositoryOutcome.Failed(repository, e);
        }
    }

    private static List<Path> sortedEntries(Path dir) throws IOException {
        // Sorted so that walks visit repositories in the same order on every node and every run.
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        return entries;
    }

    private static ThreadFactory threadFactory() {
        return NamedThreads.of("hash-" + WALK_NUMBER.incrementAndGet());
    }

    /** State of one walk, shared by the walking thread and the pool. */
    private final class Walk {
        final Consumer<? super RepositoryOutcome> consumer;
        final Semaphore slots = new Semaphore(2 * parallelism);
        final AtomicInteger hashed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicReference<RuntimeException> consumerFailure = new AtomicReference<>();
        volatile boolean cancelled;

        Walk(Consumer<? super RepositoryOutcome> consumer) {
            this.consumer = consumer;
        }

        boolean aborted() {
            return consumerFailure.get() != null;
        }

        synchronized void deliver(RepositoryOutcome outcome) {
            if (cancelled || aborted()) {
                return;
            }
            try {
                consumer.accept(outcome);
            } catch (RuntimeException e) {
                consumerFailure.set(e);
                return;
            }
            if (outcome instanceof RepositoryOutcome.Hashed) {
                hashed.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
        }
    }
}

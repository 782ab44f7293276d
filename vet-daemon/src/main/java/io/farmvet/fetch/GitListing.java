package io.farmvet.fetch;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.concurrent.Sleeper;
import io.farmvet.concurrent.TokenBucket;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.RepositoryPath;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.git.remote.LsRemote;
import io.farmvet.git.remote.LsRemoteException;
import io.farmvet.git.remote.RemoteHashes;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingSummary;
import io.farmvet.util.Units;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listing of a server of kind {@code git} (issue 13), built by farmvet itself: one in-process ls-remote per
 * repository of the vet's {@link GitRepositories}, {@code git.concurrency} at once, hashed as the agent hashes
 * ({@link RemoteHashes}), fed to the handler in the shape the agent's listing has (projects in key order, each with
 * its repositories, names included), so that comparing, repairing and reporting do not know the difference.
 *
 * <p>Memory stays bounded: at most twice {@code git.concurrency} advertisements are held, however many repositories.
 * Pressure too: {@code git.rate} spaces the ls-remotes' starts evenly ({@link TokenBucket}, one token, no bursts),
 * and a cancel (the vet deadline) ends the wait for a slot at once. The pool's threads take the slots in any
 * order, not the repositories' (the window, read in order, may wait on an earlier one: bounded by its size). Connections are reused: JGit's JDK HTTP
 * connections go back to the JDK's keep-alive cache, since JGit reads every answer to its end (12 ls-remotes in
 * a row to one server open one connection, LsRemoteConnectionReuseTest).
 *
 * <p>Progress shows the repositories answered so far of all of them, and the bytes of their answers
 * ({@link AdvertisedRefs#bytes()}), which are also the listing's bytes in the report.
 *
 * <p>What a repository's answer becomes:
 *
 * <ul>
 *   <li>refs: a listing entry;
 *   <li>not found: no entry, so the repository is {@code missing} on that node;
 *   <li>refused (401, 403) on a node: an entry with the all-zero content hash, "not computed yet", which never
 *       differs, so the repository is neither {@code missing} nor repaired; counted and told in the log. Refused on
 *       every repository, the node fails: it must not look like a node that has none. On the primary, a refusal
 *       fails the primary: a repository it does not show would be {@code extra} on every node;
 *   <li>anything else (timed out, too large, unreachable): the server fails, as a broken {@code repo-hashes} does.
 * </ul>
 */
public final class GitListing implements ListingSource {
    @Override
    public List<String> notes() {
        return notes;
    }

    private static final Logger log = LoggerFactory.getLogger(GitListing.class);
    /** Bitbucket's "not computed yet" placeholder, which a comparison counts as up to date. */
    private static final String NOT_COMPUTED = "0".repeat(64);

    private final FarmvetConfig.Server server;
    private final String configPath;
    private final boolean primary;
    private final List<RepositoryPath> repositories;
    private final int concurrency;
    private final TokenBucket rate;
    private final FarmvetConfig.Http http;
    private final ServerProgress progress;
    private final CompletableFuture<String> cancelled = new CompletableFuture<>();
    private volatile ExecutorService pool;
    private volatile List<String> notes = List.of();
    private LsRemote lsRemote;

    GitListing(
            FarmvetConfig.Server server,
            String configPath,
            FarmvetConfig.Git git,
            List<RepositoryPath> repositories,
            FarmvetConfig.Http http,
            ServerProgress progress) {
        this.server = server;
        this.configPath = configPath;
        this.primary = configPath.equals(FarmvetConfig.PRIMARY_NAME);
        this.repositories = repositories.stream()
                .sorted(Comparator.comparing(RepositoryPath::projectKey).thenComparing(RepositoryPath::slug))
                .toList();
        this.concurrency = git.concurrency();
        this.rate = git.rateLimited() ? new TokenBucket(git.ratePerSecond(), new UntilCancelled()) : null;
        this.http = http;
        this.progress = progress;
    }

    /** Sets up the server's TLS trust and credentials; the first ls-remote goes out with {@link #read}. */
    @Override
    public void send() throws FetchException {
        progress.state(ServerProgress.State.CONNECTING);
        try {
            // http(s) takes the header and the trust, ssh:// the key and known_hosts file, git:// neither.
            LsRemote.Settings settings = new LsRemote.Settings(
                            server.auth().authorizationHeader(),
                            TlsTrust.trustManagers(http.caFile()),
                            http.connectTimeout(),
                            http.readTimeout())
                    .withSsh(server.auth().sshIdentity());
            lsRemote = new LsRemote(server.name(), settings);
        } catch (GeneralSecurityException | IOException e) {
            progress.state(ServerProgress.State.FAILED);
            throw new FetchException(server.name() + ": cannot set up TLS from http.ca-file: " + e.getMessage(), e);
        }
    }

    @Override
    public ListingSummary read(ListingHandler handler) throws FetchException {
        progress.state(ServerProgress.State.READING);
        pool = Executors.newFixedThreadPool(concurrency, NamedThreads.of("git-" + server.name()));
        if (cancelled.isDone()) {
            pool.shutdownNow();
        }
        try {
            ListingSummary summary = list(handler);
            progress.state(ServerProgress.State.DONE);
            return summary;
        } catch (FetchException e) {
            progress.state(ServerProgress.State.FAILED);
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private ListingSummary list(ListingHandler handler) throws FetchException {
        progress.expectRepositories(repositories.size());
        ArrayDeque<Pending> window = new ArrayDeque<>();
        int next = 0;
        long projects = 0;
        long listed = 0;
        int refused = 0;
        String firstRefused = null;
        String project = null;
        ListingEntry entry = new ListingEntry();
        try {
            while (next < repositories.size() || !window.isEmpty()) {
                while (next < repositories.size() && window.size() < 2 * concurrency) {
                    window.add(submit(repositories.get(next++)));
                }
                Pending pending = window.poll();
                Outcome outcome = await(pending);
                RepositoryPath path = pending.path();
                progress.addRepositories(1);
                boolean absent =
                        outcome.failure() != null && outcome.failure().reason() == LsRemoteException.Reason.NOT_FOUND;
                // A project is listed once a repository of it is there, as the agent lists a project directory
                // holding a repository: a node with none of a project's repositories does not mirror it (scope).
                if (!absent && !path.projectKey().equals(project)) {
                    project = path.projectKey();
                    projects++;
                    handler.project(StableIds.projectId(project), false, project);
                }
                progress.addBytes(outcome.bytes());
                if (outcome.hashes() != null) {
                    RepositoryHashes h = outcome.hashes();
                    handler.repository(entry.set(h.projectId(), h.repositoryId(), h.contentHash(), h.metadataHash())
                            .slug(h.slug()));
                    listed++;
                    continue;
                }
                LsRemoteException failure = outcome.failure();
                switch (failure.reason()) {
                    case NOT_FOUND -> {
                        // Absent from the listing: the repository is missing there.
                    }
                    case REFUSED -> {
                        if (primary) {
                            throw new FetchException(
                                    failure.getMessage() + "; the primary must show every repository of the farm's list"
                                            + " (repositories.from), or each would look extra on the nodes: give "
                                            + configPath + ".auth read access, or drop it from the list",
                                    failure);
                        }
                        refused++;
                        firstRefused = firstRefused == null ? failure.getMessage() : firstRefused;
                        handler.repository(entry.set(
                                        StableIds.projectId(path.projectKey()),
                                        StableIds.repositoryId(path.projectKey(), path.slug()),
                                        NOT_COMPUTED,
                                        null)
                                .slug(path.slug()));
                        listed++;
                    }
                    default -> throw new FetchException(failure.getMessage(), failure);
                }
            }
            if (refused > 0 && refused == repositories.size()) {
                throw new FetchException(
                        server.name() + ": refused every one of " + Units.count(refused, "repository", "repositories")
                                + " (first: " + firstRefused + "); check " + configPath + ".auth",
                        null);
            }
            if (refused > 0) {
                String note = server.name() + ": refused " + refused + " of "
                        + Units.count(repositories.size(), "repository", "repositories")
                        + ", which are not judged on this node (first: " + firstRefused + "); check " + configPath
                        + ".auth";
                log.warn("{}", note);
                notes = List.of(note);
            }
            handler.end();
            return new ListingSummary(projects, listed, progress.bytes());
        } catch (EntryRejectedException e) {
            throw new FetchException(server.name() + ": " + e.getMessage(), e);
        } finally {
            window.forEach(p -> p.outcome().cancel(true));
        }
    }

    private Pending submit(RepositoryPath path) {
        String url = server.repositoryUrl(path.projectKey(), path.slug());
        try {
            return new Pending(
                    path,
                    CompletableFuture.supplyAsync(
                            () -> {
                                if (!waitForSlot()) {
                                    // Cancelled while waiting: await() reports the cancel, this is never read.
                                    return new Outcome(null, null, 0);
                                }
                                try {
                                    AdvertisedRefs refs = lsRemote.list(url);
                                    return new Outcome(
                                            RemoteHashes.of(path.projectKey(), path.slug(), refs), null, refs.bytes());
                                } catch (LsRemoteException e) {
                                    return new Outcome(null, e, 0);
                                }
                            },
                            pool));
        } catch (RejectedExecutionException e) {
            // Cancelled: the pool is shut down, and await() reports the cancel.
            return new Pending(path, CompletableFuture.failedFuture(e));
        }
    }

    /**
     * Waits for {@code git.rate}'s next slot, in the pool's thread so that the starts are spaced however the
     * answers come back; false when the listing was cancelled first.
     */
    private boolean waitForSlot() {
        if (rate != null) {
            try {
                rate.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !cancelled.isDone();
    }

    /** The repository's outcome, or the cancel's reason as a failure when the vet stops first. */
    private Outcome await(Pending pending) throws FetchException {
        CompletableFuture.anyOf(pending.outcome(), cancelled)
                .exceptionally(e -> null)
                .join();
        if (cancelled.isDone()) {
            throw new FetchException(
                    server.name() + ": cancelled (" + cancelled.join() + ") after "
                            + Units.count(progress.repositories(), "repository", "repositories") + " of "
                            + repositories.size(),
                    null);
        }
        try {
            return pending.outcome().join();
        } catch (RuntimeException e) {
            throw new FetchException(server.name() + ": ls-remote failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void cancel(String reason) {
        cancelled.complete(reason);
        ExecutorService running = pool;
        if (running != null) {
            running.shutdownNow();
        }
    }

    @Override
    public Long clockSkewMs() {
        return null;
    }

    /** The bytes of the ls-remotes answered so far (each one bounded by {@link LsRemote#DEFAULT_MAX_BYTES}). */
    @Override
    public long bytesRead() {
        return progress.bytes();
    }

    @Override
    public void close() {
        ExecutorService running = pool;
        if (running != null) {
            running.shutdownNow();
        }
    }

    private record Pending(RepositoryPath path, CompletableFuture<Outcome> outcome) {}

    private record Outcome(RepositoryHashes hashes, LsRemoteException failure, long bytes) {}

    /** The rate's clock, whose wait for a slot ends as soon as the listing is cancelled. */
    private final class UntilCancelled implements Sleeper {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            try {
                cancelled.get(duration.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // The slot came (or the cancel failed, which it cannot: it only ever completes).
            }
        }
    }
}

package io.farmvet.explain;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.names.RepositoryNames;
import io.farmvet.util.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the refs that differ for a vet's {@code content} inconsistencies (issue 12): at most {@code
 * explain.max-repositories} per vet, in the order found, each repository asked of the primary once and of each
 * drifted node, {@value #PER_SERVER} requests at a time per server. A Bitbucket server is asked by ls-remote of
 * its {@code /scm} ({@link ScmRefs}), an agent by its refs endpoint ({@link AgentRefs}), a server of kind {@code git}
 * by ls-remote of its own {@code url} (a {@code manifest-url} server given none cannot be asked: {@link NoGitUrl});
 * the farm's kind is the primary's (agents list repositories by name, Bitbucket by its own ids, so a farm is one or
 * the other).
 *
 * <p>Best effort, after the verdicts: a server that fails is one note and is not asked again this vet; a
 * repository without a name cannot be asked of Bitbucket (one note). Nothing here changes a verdict or a repair.
 * {@link #start} after the verdicts, {@link #collect} before the report (as {@link SyncDiagnosis}); at the
 * vet's deadline what has not started is not asked and what is done is kept. One instance per vet.
 */
public final class RefsStep {
    private static final Logger log = LoggerFactory.getLogger(RefsStep.class);

    /** Requests at a time per server: a vet must not look like a clone storm to a Bitbucket node. */
    static final int PER_SERVER = 4;

    /** How long a cancelled step may take to hand over what it has: it only collects finished asks. */
    private static final long CANCEL_GRACE_MS = 2_000;

    /** One node's content inconsistencies, in the order found. */
    public record Target(FarmvetConfig.Server node, List<Inconsistency> found) {}

    private final FarmvetConfig config;
    private final Map<String, RefsSource> sources = new HashMap<>();
    private final Map<String, ExecutorService> pools = new HashMap<>();
    private final Map<String, String> failedServers = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<AdvertisedRefs>> primaryRefs = new ConcurrentHashMap<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Supplier<Duration> remaining;
    private CompletableFuture<RefsFound> running;

    /**
     * @param agents whether the farm's servers are farmvet agents (the primary's listing names its repositories)
     * @param remaining what is left of the vet's deadline
     */
    public RefsStep(
            FarmvetConfig config,
            ListingFetcher fetcher,
            TrustManager[] trust,
            boolean agents,
            Supplier<Duration> remaining) {
        this.config = config;
        this.remaining = remaining;
        List<FarmvetConfig.Server> servers = new ArrayList<>();
        servers.add(config.primary());
        servers.addAll(config.nodes());
        for (int i = 0; i < servers.size(); i++) {
            FarmvetConfig.Server server = servers.get(i);
            String configPath = i == 0 ? "primary" : "nodes[" + (i - 1) + "]";
            RefsSource source;
            if (server.isGit() && server.gitUrl() == null) {
                source = new NoGitUrl(server, configPath);
            } else if (agents && !server.isGit()) {
                source = new AgentRefs(fetcher, server);
            } else {
                source = new ScmRefs(server, config.http(), trust);
            }
            sources.put(server.name(), source);
            pools.put(
                    server.name(), Executors.newFixedThreadPool(PER_SERVER, NamedThreads.of("refs-" + server.name())));
        }
    }

    /**
     * Starts {@link #run} on {@code pool} once {@code names} is done (whether or not it found names: agents need
     * none, and a Bitbucket repository without one gets a note).
     */
    public void start(List<Target> targets, CompletableFuture<RepositoryNames> names, ExecutorService pool) {
        running = names.handle((found, failed) -> found == null ? RepositoryNames.NONE : found)
                .thenApplyAsync(found -> run(targets, found), pool);
    }

    /**
     * The refs found, waited for until {@code within} has passed; then the step is cancelled and hands over what
     * it has, with a note for the rest.
     */
    public RefsFound collect(Duration within, String why) {
        if (running == null) {
            return RefsFound.NONE;
        }
        try {
            return running.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel();
            try {
                // Cancelled, run() returns what it has at once.
                return running.get(CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException late) {
                return notListed("not listed within " + why);
            } catch (InterruptedException late) {
                Thread.currentThread().interrupt();
                return notListed("not listed: the vet was cancelled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            return notListed("not listed: the vet was cancelled");
        } catch (ExecutionException | CancellationException e) {
            // run() catches what it expects; anything else is a bug, and never fails a vet.
            log.error("refs step failed unexpectedly", e.getCause() == null ? e : e.getCause());
            return notListed("not listed (" + (e.getCause() == null ? e : e.getCause()) + ")");
        }
    }

    private static RefsFound notListed(String why) {
        return new RefsFound(Map.of(), List.of("the refs that differ were " + why));
    }

    /** The first {@code explain.max-repositories} content inconsistencies of {@code targets}, explained. */
    RefsFound run(List<Target> targets, RepositoryNames names) {
        long startNanos = System.nanoTime();
        int budget = config.explain().maxRepositories();
        int unnamed = 0;
        int skipped = 0;
        Map<String, Map<Long, CompletableFuture<RepositoryRefs>>> asked = new LinkedHashMap<>();
        try {
            for (Target target : targets) {
                for (Inconsistency inconsistency : target.found()) {
                    if (!inconsistency.kinds().contains(Kind.CONTENT)) {
                        continue;
                    }
                    if (budget == 0) {
                        skipped++;
                        continue;
                    }
                    long id = inconsistency.repositoryId();
                    RepositoryNames.Name name = names.name(id);
                    RefsSource nodeSource = sources.get(target.node().name());
                    if (name == null
                            && (nodeSource.needsName()
                                    || sources.get(config.primary().name()).needsName())) {
                        unnamed++;
                        continue;
                    }
                    budget--;
                    CompletableFuture<AdvertisedRefs> primary =
                            primaryRefs.computeIfAbsent(id, k -> ask(config.primary(), id, name));
                    CompletableFuture<AdvertisedRefs> node = ask(target.node(), id, name);
                    asked.computeIfAbsent(target.node().name(), k -> new LinkedHashMap<>())
                            .put(
                                    id,
                                    primary.thenCombine(
                                            node,
                                            (p, n) ->
                                                    p == null || n == null ? null : RepositoryRefs.between(id, p, n)));
                }
            }
            RefsFound found = collect(asked, unnamed, skipped);
            log.info(
                    "refs listed for {} in {}",
                    Units.count(
                            found.byNode().values().stream().mapToInt(Map::size).sum(), "repository", "repositories"),
                    Units.millis((System.nanoTime() - startNanos) / 1_000_000));
            return found;
        } finally {
            pools.values().forEach(ExecutorService::shutdownNow);
        }
    }

    /** Stops asking: what has not started is not asked, and {@link #run} returns what is done. */
    public void cancel() {
        cancelled.set(true);
        pools.values().forEach(ExecutorService::shutdownNow);
    }

    private CompletableFuture<AdvertisedRefs> ask(FarmvetConfig.Server server, long id, RepositoryNames.Name name) {
        try {
            return CompletableFuture.supplyAsync(() -> askNow(server, id, name), pools.get(server.name()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private AdvertisedRefs askNow(FarmvetConfig.Server server, long id, RepositoryNames.Name name) {
        Duration left = remaining.get();
        if (cancelled.get() || failedServers.containsKey(server.name()) || left.isZero()) {
            return null;
        }
        try {
            return sources.get(server.name()).refs(id, name, left);
        } catch (RefsSource.Unavailable e) {
            if (failedServers.putIfAbsent(server.name(), e.getMessage()) == null) {
                log.warn("{}; no more refs are asked of {} this vet", e.getMessage(), server.name());
            }
            return null;
        }
    }

    private RefsFound collect(
            Map<String, Map<Long, CompletableFuture<RepositoryRefs>>> asked, int unnamed, int skipped) {
        Map<String, Map<Long, RepositoryRefs>> byNode = new LinkedHashMap<>();
        int unanswered = 0;
        for (Map.Entry<String, Map<Long, CompletableFuture<RepositoryRefs>>> node : asked.entrySet()) {
            Map<Long, RepositoryRefs> repositories = new LinkedHashMap<>();
            for (Map.Entry<Long, CompletableFuture<RepositoryRefs>> repository :
                    node.getValue().entrySet()) {
                RepositoryRefs refs = await(repository.getValue());
                if (refs == null) {
                    unanswered++;
                } else {
                    repositories.put(repository.getKey(), refs);
                }
            }
            if (!repositories.isEmpty()) {
                byNode.put(node.getKey(), Map.copyOf(repositories));
            }
        }
        List<String> notes = new ArrayList<>();
        failedServers.values().stream()
                .sorted()
                .forEach(note ->
                        notes.add(note + "; the refs that differ are not" + " listed for its repositories this vet"));
        if (cancelled.get() && unanswered > 0) {
            notes.add("refs of " + Units.count(unanswered, "repository", "repositories") + " not listed within"
                    + " vet.deadline (" + Units.duration(config.vet().deadline()) + ")");
        }
        if (unnamed > 0) {
            notes.add("refs not listed for " + Units.count(unnamed, "repository", "repositories") + " without a"
                    + " name: Bitbucket serves Git by project key and slug, and the names lookup did not give them");
        }
        if (skipped > 0) {
            notes.add("refs listed for the first " + config.explain().maxRepositories() + " content"
                    + " inconsistencies only (explain.max-repositories); " + skipped + " more not listed");
        }
        return new RefsFound(byNode, notes);
    }

    /** A future's value, null when it failed or was cancelled; the vet's deadline bounds the wait. */
    private RepositoryRefs await(CompletableFuture<RepositoryRefs> future) {
        try {
            if (cancelled.get()) {
                return future.isDone() && !future.isCompletedExceptionally() ? future.getNow(null) : null;
            }
            long leftMs = remaining.get().toMillis();
            return future.get(Math.max(1, leftMs), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            cancel();
            return null;
        }
    }
}

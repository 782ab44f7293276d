package io.farmvet.explain;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.bitbucket.BitbucketApiException;
import io.farmvet.fetch.bitbucket.MirrorNodeApi;
import io.farmvet.fetch.bitbucket.MirrorRepo;
import io.farmvet.fetch.bitbucket.RepoSyncStatus;
import io.farmvet.names.RepositoryNames;
import io.farmvet.util.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why the drifted repositories are behind (issue 12 section 3): asks each vetted node, on its own task, for the
 * farm's pending sync requests ({@code refChangesQueue}), and for its drifted repositories (at most {@code
 * explain.max-repositories} per vet, all nodes together, in the order found) Bitbucket's delayed-sync list, each
 * one's {@code repoSyncStatus} (by the primary's names) and {@code mirrorRepos/{id}}.
 *
 * <p>Best effort: what a node refuses (401 without ADMIN, 404 before the endpoint existed) or garbles becomes one
 * note on that node, and a node that does not answer at all is asked nothing more this vet. Nothing here changes a
 * verdict or a repair. One node's calls run one after another, so a node gets at most one of these calls at a
 * time beside its listing. One instance per vet: {@link #start}, then {@link #collect}.
 */
public final class SyncDiagnosis {
    private static final Logger log = LoggerFactory.getLogger(SyncDiagnosis.class);

    /** A vetted node and the drift found on it, with where it is in the config for hints. */
    public record Target(FarmvetConfig.Server server, String configPath, List<Inconsistency> drift) {}

    private final FarmvetConfig.Explain settings;
    private final ListingFetcher fetcher;
    private final Map<String, MirrorNodeApi> apis = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<NodeSync>> running = new LinkedHashMap<>();

    public SyncDiagnosis(FarmvetConfig.Explain settings, ListingFetcher fetcher) {
        this.settings = settings;
        this.fetcher = fetcher;
    }

    /**
     * Starts each target's calls on {@code pool} once {@code names} is done (whether or not it found names: a
     * repository without one is looked up by id only).
     */
    public void start(List<Target> targets, CompletableFuture<RepositoryNames> names, ExecutorService pool) {
        int budget = settings.maxRepositories();
        for (Target target : targets) {
            List<Inconsistency> chosen = new ArrayList<>();
            for (Inconsistency inconsistency : target.drift()) {
                // An extra repository is not the primary's: it has no name and no sync to be behind on.
                if (budget > 0 && !inconsistency.kinds().equals(Set.of(Kind.EXTRA))) {
                    chosen.add(inconsistency);
                    budget--;
                }
            }
            MirrorNodeApi api = new MirrorNodeApi(fetcher, target.server(), target.configPath());
            apis.put(target.server().name(), api);
            running.put(
                    target.server().name(),
                    names.handle((found, failed) -> found == null ? RepositoryNames.NONE : found)
                            .thenApplyAsync(found -> diagnose(target, api, chosen, found), pool));
        }
    }

    /**
     * Every node's diagnostics, waited for until {@code within} has passed; a node not done by then is cancelled
     * and has a note instead.
     */
    public SyncDiagnostics collect(Duration within, String why) {
        long until = System.nanoTime() + within.toNanos();
        Map<String, NodeSync> nodes = new LinkedHashMap<>();
        running.forEach((name, future) -> {
            NodeSync sync;
            try {
                sync = future.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                apis.get(name).cancel();
                sync = late(name, "the vet was cancelled");
            } catch (TimeoutException e) {
                apis.get(name).cancel();
                sync = late(name, "not finished within " + why);
            } catch (java.util.concurrent.CancellationException e) {
                sync = late(name, "cancelled");
            } catch (ExecutionException e) {
                // diagnose() catches what it expects; anything else is a bug, and never fails a vet.
                log.error("{}: sync diagnostics failed unexpectedly", name, e.getCause());
                sync = late(name, "failed (" + e.getCause() + ")");
            }
            nodes.put(name, sync);
        });
        return new SyncDiagnostics(nodes);
    }

    private static NodeSync late(String node, String why) {
        return new NodeSync(null, Map.of(), List.of(node + ": sync diagnostics " + why + "; the verdicts stand"));
    }

    private NodeSync diagnose(Target target, MirrorNodeApi api, List<Inconsistency> chosen, RepositoryNames names) {
        Calls calls = new Calls(target.server().name());
        Long queue = calls.ask(api::refChangesQueue);
        Set<Long> delayed = chosen.isEmpty() ? Set.of() : calls.ask(() -> api.delayedSync(settings.delayThreshold()));
        boolean syncStatusOffered = true;
        boolean mirrorReposOffered = true;
        Map<Long, RepositorySync> repositories = new HashMap<>();
        for (Inconsistency inconsistency : chosen) {
            long id = inconsistency.repositoryId();
            RepositoryNames.Name name = names.name(id);
            // A missing repository has no sync status on the node (404); mirrorRepos may still say why.
            boolean onNode = !inconsistency.kinds().contains(Kind.MISSING);
            RepoSyncStatus status = null;
            if (onNode && name != null && syncStatusOffered && !calls.stopped) {
                status = calls.ask(() -> api.repoSyncStatus(id, name.projectKey(), name.slug()));
                syncStatusOffered = !calls.lastNotOffered;
            }
            MirrorRepo mirror = null;
            if (mirrorReposOffered && !calls.stopped) {
                mirror = calls.askAllowing404(() -> api.mirrorRepo(id), !onNode);
                mirrorReposOffered = !calls.lastNotOffered;
            }
            RepositorySync sync = new RepositorySync(
                    status == null ? null : status.lastSyncDate(),
                    status == null ? null : status.initialSyncDate(),
                    status == null ? null : status.failedSyncCount(),
                    mirror == null ? null : mirror.status(),
                    delayed != null && delayed.contains(id));
            if (!sync.isEmpty()) {
                repositories.put(id, sync);
            }
        }
        List<String> notes = calls.note() == null ? List.of() : List.of(calls.note());
        notes.forEach(note -> log.info("{}", note));
        return new NodeSync(queue, repositories, notes);
    }

    /** A node's calls of one vet: the first failure, how many failed, and whether to go on asking. */
    private static final class Calls {
        private final String node;
        private String first;
        private int failures;
        private boolean stopped;
        private boolean lastNotOffered;

        Calls(String node) {
            this.node = node;
        }

        interface Call<T> {
            T call() throws BitbucketApiException;
        }

        <T> T ask(Call<T> call) {
            return askAllowing404(call, false);
        }

        /** The answer, or null after noting the failure; a 404 is silent when {@code absentIsNormal}. */
        <T> T askAllowing404(Call<T> call, boolean absentIsNormal) {
            lastNotOffered = false;
            if (stopped) {
                return null;
            }
            try {
                return call.call();
            } catch (BitbucketApiException e) {
                if (absentIsNormal && e.httpStatus() == 404) {
                    return null;
                }
                lastNotOffered = e.notOffered();
                stopped = e.unanswered();
                failures++;
                if (first == null) {
                    first = e.getMessage();
                }
                return null;
            }
        }

        String note() {
            if (first == null) {
                return null;
            }
            String more = failures > 1 ? " (" + Units.count(failures, "call", "calls") + " failed)" : "";
            return first + "; sync diagnostics of " + node + " are incomplete this vet" + more
                    + (stopped ? ", and it was asked nothing more" : "");
        }
    }
}

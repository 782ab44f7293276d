package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.NodeComparison;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.explain.RefsFound;
import io.farmvet.explain.RefsStep;
import io.farmvet.explain.SyncDiagnosis;
import io.farmvet.explain.SyncDiagnostics;
import io.farmvet.fetch.GitRepositories;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.TlsTrust;
import io.farmvet.names.NameLookup;
import io.farmvet.names.RepositoryNames;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairPermit;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vet of a farm: fetch every listing, compare each node with the primary, repair what is confirmed, return
 * the report. This is the one core call; the command line, the schedule, the REST trigger and the tests all run a
 * vet through {@link #run}.
 *
 * <p>All requests go out at once ({@link FarmLook}), each node's {@code /status} alongside its listing. A node
 * that fails in any way becomes a failed line of the report and the others are still vetted; if the primary
 * fails, no verdicts are drawn at all, and nothing is repaired.
 *
 * <p>With a {@code repair.mode} other than {@code none}, the {@link RepairStep} then settles earlier repairs,
 * confirms the drift with a second look and sends requests for what is still wrong with an unchanged primary.
 * Nothing is repaired on the strength of a listing that did not arrive whole.
 *
 * <p>{@code vet.deadline} bounds the fetches of the whole vet: whatever is still fetching then is cancelled and
 * reported as such. Interrupting the calling thread cancels the vet the same way. A {@code Vet} holds no state
 * between runs (the repair ledger lives in {@code state.dir}); running two at once is the caller's business to
 * prevent.
 */
public final class Vet {
    private static final Logger log = LoggerFactory.getLogger(Vet.class);

    private final FarmvetConfig config;
    private final ListingFetcher fetcher;
    private final Clock clock;
    private final NameLookup names;
    private final RepairPermit permit;

    public Vet(FarmvetConfig config, ListingFetcher fetcher, Clock clock) {
        this(config, fetcher, clock, new NameLookup());
    }

    /** A vet that takes repository names from {@code names}, which the daemon keeps between vets. */
    public Vet(FarmvetConfig config, ListingFetcher fetcher, Clock clock, NameLookup names) {
        this(config, fetcher, clock, names, RepairPermit.ALONE);
    }

    /** A vet of one instance of a cluster: it repairs only while {@code permit} (the vet lock) holds. */
    public Vet(FarmvetConfig config, ListingFetcher fetcher, Clock clock, NameLookup names, RepairPermit permit) {
        this.permit = permit;
        this.config = config;
        this.fetcher = fetcher;
        this.clock = clock;
        this.names = names;
    }

    /** Progress counters for this config's servers: pass them to {@link #run} to watch a vet live. */
    public VetProgress newProgress() {
        return new VetProgress(config);
    }

    public VetReport run(VetProgress progress) {
        Instant startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        long start = System.nanoTime();
        log.info(
                "vet of farm {} started: primary {} and {}",
                config.farm().name(),
                config.primary().url(),
                Units.count(config.nodes().size(), "node", "nodes"));
        ExecutorService pool = Executors.newCachedThreadPool(NamedThreads.of("vet"));
        try (Deadline deadline = new Deadline(config.vet().deadline())) {
            // Each node's /status is asked alongside its listing: a node that is starting or still on its first
            // sync lists less than it mirrors, and its drift must not be repaired.
            List<NodeVet> nodes = new ArrayList<>();
            for (int index = 0; index < config.nodes().size(); index++) {
                FarmvetConfig.Server server = config.nodes().get(index);
                // A server of kind git has no /status: the Git protocol tells nothing of its state.
                nodes.add(
                        server.isGit()
                                ? NodeVet.unasked(index, server)
                                : NodeVet.asked(index, server, fetcher.statusProbe(server), pool));
            }
            // Once per vet, shared by every git server and by the second look (repositories.from).
            GitRepositories repositories = GitRepositories.resolve(config, fetcher, pool, deadline.remaining());
            FarmLook farm = new FarmLook(config, fetcher, pool, deadline, repositories);
            FarmLook.Look first = farm.look(nodes.stream().map(NodeVet::index).toList(), progress);
            nodes = nodes.stream().map(n -> n.looked(first.node(n.index()))).toList();
            // Asked once the listings are in: a slow farmNodes must not hold a connection a listing needs.
            MembersAsk members = new MembersAsk(nodes, fetcher, pool);
            List<NodeComparison> vetted = nodes.stream()
                    .filter(NodeVet::vetted)
                    .map(n -> n.outcome().comparison())
                    .toList();
            LongPredicate inScope = first.table() == null
                    ? null
                    : FarmComparison.scope(config.farm().scope(), vetted);
            nodes = nodes.stream().map(n -> judge(n, first, inScope)).toList();
            // Names are looked up beside the repairs, after the verdicts: they never change one.
            // Steps that need names (diagnostics, refs) chain on this future.
            CompletableFuture<NameLookup.Result> named = first.table() == null
                    ? null
                    : CompletableFuture.supplyAsync(() -> names.names(fetcher, config.primary(), first.table()), pool);
            // Why the drifted repositories are behind: chained on the names (repoSyncStatus is asked by name), run
            // beside the repairs, collected before the report; never a verdict or a repair.
            SyncDiagnosis diagnosis = null;
            if (named != null) {
                diagnosis = new SyncDiagnosis(config.explain(), fetcher);
                diagnosis.start(diagnosed(nodes), named.thenApply(NameLookup.Result::names), pool);
            }
            // The refs that differ are listed beside the repairs too, once the names are in (Bitbucket serves Git by
            // name).
            RefsStep refs = refsStep(first, nodes, deadline);
            if (refs != null) {
                refs.start(
                        nodes.stream()
                                .filter(NodeVet::vetted)
                                .map(n -> new RefsStep.Target(n.server(), n.verdicts()))
                                .toList(),
                        named.thenApply(NameLookup.Result::names),
                        pool);
            }
            // Before the repairs: a hanging farmNodes is cancelled here, so it holds no connection the second look
            // needs.
            FarmMembership membership = members.collect(config.nodes(), deadline);

            String repairError = null;
            boolean repairing = config.repair().mode() != RepairMode.NONE && first.table() != null;
            boolean anyVetted = nodes.stream().anyMatch(NodeVet::vetted);
            if (repairing && anyVetted && Thread.currentThread().isInterrupted()) {
                // The ledger's file I/O would fail on an interrupted thread, and a stopping daemon should not
                // start repairs: the next vet sees the same drift.
                repairError = "the vet was cancelled before its repairs; the next vet will find the same drift";
            } else if (repairing && anyVetted) {
                try {
                    RepairStep step = new RepairStep(config, clock, pool, deadline, farm, fetcher, permit);
                    nodes = step.run(first, nodes, inScope, startedAt, progress);
                    if (step.stopped() != null) {
                        repairError = step.stopped();
                    } else if (nodes.stream().anyMatch(NodeVet::repairsCancelled)) {
                        repairError = "the vet was cancelled while repairs were being sent; every request sent is "
                                + "in the ledger and is verified by the next vet";
                    }
                } catch (RepairSession.RepairSetupException e) {
                    repairError = e.getMessage();
                }
            }
            List<VetReport.NodeResult> results =
                    nodes.stream().map(NodeVet::result).toList();
            if (repairError != null) {
                log.error("{}", repairError);
            }
            NameLookup.Result lookup = awaitNames(named, deadline);
            String within = "vet.deadline (" + Units.duration(config.vet().deadline()) + ")";
            SyncDiagnostics sync =
                    diagnosis == null ? SyncDiagnostics.NONE : diagnosis.collect(deadline.remaining(), within);
            VetReport.PrimaryResult primary =
                    lookup.note() == null ? first.primary() : first.primary().withNote(lookup.note());
            VetReport report = new VetReport(
                            config.farm().name(),
                            VetReport.statusOf(first.primary(), results),
                            startedAt,
                            (System.nanoTime() - start) / 1_000_000,
                            primary,
                            results,
                            repairError,
                            membership)
                    .withNames(lookup.names())
                    .withSync(sync)
                    .withRefs(refs == null ? RefsFound.NONE : refs.collect(deadline.remaining(), within));
            log.info(
                    "vet of farm {} finished in {}: {}, {}",
                    report.farm(),
                    Units.millis(report.durationMs()),
                    report.status().wireName(),
                    Units.count(report.inconsistencyCount(), "inconsistency", "inconsistencies"));
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The refs step of this vet, or null when there is nothing to explain: no verdicts, no {@code content}
     * inconsistency, or {@code explain.max-repositories: 0}.
     */
    private RefsStep refsStep(FarmLook.Look first, List<NodeVet> nodes, Deadline deadline) {
        boolean anyContent = nodes.stream()
                .filter(NodeVet::vetted)
                .flatMap(n -> n.verdicts().stream())
                .anyMatch(i -> i.kinds().contains(Kind.CONTENT));
        if (first.table() == null || !anyContent || config.explain().maxRepositories() == 0) {
            return null;
        }
        try {
            // Agents list their repositories by name; Bitbucket by its own ids (names come from the lookup).
            boolean agents = first.table().size() > 0 && first.table().slug(0) != null;
            return new RefsStep(
                    config, fetcher, TlsTrust.trustManagers(config.http().caFile()), agents, deadline::remaining);
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            // The listings were fetched with the same trust, so this is next to impossible; never fail the vet.
            log.warn("refs that differ not listed: http.ca-file not usable: {}", e.toString());
            return null;
        }
    }

    /** The names, or none with a note when the lookup did not end within {@code vet.deadline}. */
    private NameLookup.Result awaitNames(CompletableFuture<NameLookup.Result> named, Deadline deadline) {
        if (named == null) {
            return new NameLookup.Result(RepositoryNames.NONE, null, false);
        }
        try {
            return named.get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            names.cancel();
            named.cancel(true);
            return new NameLookup.Result(
                    RepositoryNames.NONE,
                    "repository names not read within vet.deadline ("
                            + Units.duration(config.vet().deadline()) + "); repositories are reported by id",
                    true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            names.cancel();
            return new NameLookup.Result(RepositoryNames.NONE, "vet cancelled before the repository names", true);
        } catch (ExecutionException e) {
            // The lookup catches what it expects; anything else is a bug, but names never fail a vet.
            log.error("repository names lookup failed unexpectedly", e.getCause());
            return new NameLookup.Result(
                    RepositoryNames.NONE,
                    "repository names not read (" + e.getCause() + "); repositories are reported by id",
                    true);
        }
    }

    /** The vetted nodes and their drift; servers of kind git have no mirroring API to ask. */
    private static List<SyncDiagnosis.Target> diagnosed(List<NodeVet> nodes) {
        return nodes.stream()
                .filter(NodeVet::vetted)
                .filter(n -> !n.server().isGit())
                .map(n -> new SyncDiagnosis.Target(n.server(), "nodes[" + n.index() + "]", n.verdicts()))
                .toList();
    }

    /** The node with its verdicts, when its listing was compared with the primary's. */
    private static NodeVet judge(NodeVet node, FarmLook.Look first, LongPredicate inScope) {
        if (!node.vetted()) {
            return node;
        }
        NodeComparison comparison = node.outcome().comparison();
        List<Inconsistency> found = FarmComparison.verdicts(first.table(), comparison, inScope);
        log.info(
                "{}: {}, {}",
                node.server().name(),
                Units.count(comparison.repositories(), "repository", "repositories"),
                Units.count(found.size(), "inconsistency", "inconsistencies"));
        return node.judged(found);
    }
}

package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.ListingRequest;
import io.farmvet.fetch.NodeState;
import io.farmvet.fetch.NodeStatusProbe;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingSummary;
import io.farmvet.repair.NodeVerification;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairOutcome;
import io.farmvet.repair.Repairer;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.repair.plan.SafetyValve;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vet of a farm: fetch every listing, compare each node with the primary, repair what is confirmed, return
 * the report. This is the one core call; the command line, the schedule, the REST trigger and the tests all run a
 * vet through {@link #run}.
 *
 * <p>All requests go out at once. The primary's listing streams into a {@link PrimaryTable}; each node's answer
 * is checked as it arrives, and its body is streamed against the table once the table is complete. A node that
 * fails in any way becomes a failed line of the report and the others are still vetted; if the primary fails, no
 * verdicts are drawn at all, and nothing is repaired.
 *
 * <p>With a {@code repair.mode} other than {@code none}, the vet then settles earlier repairs against what it
 * found, waits {@code repair.settle} and looks again at the primary and the drifted nodes, and has the
 * {@link Repairer} plan and send requests for what is still wrong with an unchanged primary. Nothing is repaired on
 * the strength of a listing that did not arrive whole.
 *
 * <p>{@code vet.deadline} bounds the fetches of the whole vet: whatever is still fetching then is cancelled and
 * reported as such. Interrupting the calling thread cancels the vet the same way. A {@code Vet} holds no state
 * between runs (the repair ledger lives in {@code state.dir}); running two at once is the caller's business to
 * prevent.
 */
public final class Vet {
    private static final Logger log = LoggerFactory.getLogger(Vet.class);
    /** Time allowed after a cancel for the fetch threads to wind down before the vet gives up on them. */
    private static final long CANCEL_GRACE_MS = 5_000;
    /** How long a node's /status answer may come after its listing: a status page answers in milliseconds. */
    private static final long STATUS_GRACE_MS = 5_000;

    private final FarmvetConfig config;
    private final ListingFetcher fetcher;
    private final Clock clock;

    public Vet(FarmvetConfig config, ListingFetcher fetcher, Clock clock) {
        this.config = config;
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** Progress counters for this config's servers: pass them to {@link #run} to watch a vet live. */
    public VetProgress newProgress() {
        return new VetProgress(config);
    }

    public VetReport run(VetProgress progress) {
        Instant startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        long start = System.nanoTime();
        log.info(
                "vet of farm {} started: primary {} and {} node(s)",
                config.farm().name(),
                config.primary().url(),
                config.nodes().size());
        ExecutorService pool = Executors.newCachedThreadPool(threads("farmvet-vet"));
        try (Deadline deadline = new Deadline(config.vet().deadline())) {
            List<Integer> everyNode = new ArrayList<>();
            for (int i = 0; i < config.nodes().size(); i++) {
                everyNode.add(i);
            }
            // Each node's /status is asked alongside its listing: a node that is starting or still on its first
            // sync lists less than it mirrors, and its drift must not be repaired.
            Map<Integer, NodeStatusProbe> probes = new LinkedHashMap<>();
            Map<Integer, Future<String>> stateProbes = new LinkedHashMap<>();
            for (int index : everyNode) {
                NodeStatusProbe probe = fetcher.statusProbe(config.nodes().get(index));
                probes.put(index, probe);
                stateProbes.put(index, pool.submit(probe::ask));
            }
            Look first = look(everyNode, progress, pool, deadline);
            Map<Integer, String> states = new LinkedHashMap<>();
            for (Map.Entry<Integer, Future<String>> probe : stateProbes.entrySet()) {
                states.put(probe.getKey(), awaitState(probe.getValue(), probes.get(probe.getKey())));
            }
            List<NodeComparison> vetted = first.nodes().stream()
                    .map(NodeOutcome::comparison)
                    .filter(c -> c != null)
                    .toList();
            LongPredicate inScope = first.table() == null
                    ? null
                    : FarmComparison.scope(config.farm().scope(), vetted);
            List<VetReport.NodeResult> results = new ArrayList<>();
            Map<Integer, List<Inconsistency>> verdicts = new LinkedHashMap<>();
            for (NodeOutcome outcome : first.nodes()) {
                if (outcome.comparison() == null) {
                    results.add(outcome.failedResult().withState(states.get(outcome.index())));
                    continue;
                }
                List<Inconsistency> found = FarmComparison.verdicts(first.table(), outcome.comparison(), inScope);
                log.info(
                        "{}: {} repositories, {} inconsistencies",
                        outcome.node().name(),
                        outcome.comparison().repositories(),
                        found.size());
                verdicts.put(outcome.index(), found);
                results.add(outcome.vettedResult(found).withState(states.get(outcome.index())));
            }

            String repairError = null;
            boolean repairing = config.repair().mode() != RepairMode.NONE && first.table() != null;
            if (repairing && !verdicts.isEmpty() && Thread.currentThread().isInterrupted()) {
                // The ledger's file I/O would fail on an interrupted thread, and a stopping daemon should not
                // start repairs: the next vet sees the same drift.
                repairError = "the vet was cancelled before its repairs; the next vet will find the same drift";
            } else if (repairing && !verdicts.isEmpty()) {
                try {
                    Map<Integer, List<RepairEntry>> repairs =
                            repair(first, verdicts, states, inScope, startedAt, progress, pool, deadline);
                    for (int i = 0; i < results.size(); i++) {
                        List<RepairEntry> entries =
                                repairs.get(first.nodes().get(i).index());
                        if (entries != null) {
                            results.set(i, results.get(i).withRepairs(entries));
                        }
                    }
                    if (repairs.containsValue(null)) {
                        repairError = "the vet was cancelled while repairs were being sent; every request sent is "
                                + "in the ledger and is verified by the next vet";
                    }
                } catch (RepairSession.RepairSetupException e) {
                    repairError = e.getMessage();
                }
            }
            if (repairError != null) {
                log.error("{}", repairError);
            }
            VetReport report = new VetReport(
                    config.farm().name(),
                    VetReport.statusOf(first.primary(), results),
                    startedAt,
                    (System.nanoTime() - start) / 1_000_000,
                    first.primary(),
                    results,
                    repairError);
            log.info(
                    "vet of farm {} finished in {} ms: {}, {} inconsistencies",
                    report.farm(),
                    report.durationMs(),
                    report.status().wireName(),
                    report.inconsistencyCount());
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A /status answer, waited for at most {@value #STATUS_GRACE_MS} ms after the listings are in: a slow status
     * page must not hold up the verdicts. Late is {@link NodeState#UNREACHABLE}.
     */
    private static String awaitState(Future<String> answer, NodeStatusProbe probe) {
        try {
            return answer.get(STATUS_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probe.cancel();
            return NodeState.UNREACHABLE;
        } catch (ExecutionException | TimeoutException e) {
            probe.cancel();
            return NodeState.UNREACHABLE;
        }
    }

    // ---- the repair step ----

    /** Repair entries per node index, for every vetted node; null for a node whose step was cancelled. */
    private Map<Integer, List<RepairEntry>> repair(
            Look first,
            Map<Integer, List<Inconsistency>> verdicts,
            Map<Integer, String> states,
            LongPredicate inScope,
            Instant listedAt,
            VetProgress progress,
            ExecutorService pool,
            Deadline deadline)
            throws RepairSession.RepairSetupException {
        try (RepairSession session = RepairSession.open(config, clock)) {
            Repairer repairer = session.repairer;
            Map<Integer, NodeVerification> verified = new LinkedHashMap<>();
            List<Integer> secondLook = new ArrayList<>();
            for (Map.Entry<Integer, List<Inconsistency>> node : verdicts.entrySet()) {
                RepairNode target = repairNode(node.getKey());
                verified.put(node.getKey(), repairer.verify(target, node.getValue(), listedAt));
                if (NodeState.allowsRepair(states.get(node.getKey()))
                        && repairer.needsSecondLook(target, node.getValue())) {
                    secondLook.add(node.getKey());
                }
            }
            Look second = null;
            String noSecondLook = null;
            if (!secondLook.isEmpty()) {
                Duration settle = repairer.settings().settle();
                if (deadline.remaining().compareTo(settle) <= 0) {
                    noSecondLook = "not confirmed: the vet deadline (vet.deadline) would pass during the settle "
                            + "delay (repair.settle " + Units.duration(settle) + ")";
                } else {
                    log.info("{} node(s) drifted; looking again in {} to confirm", secondLook.size(), settle);
                    try {
                        Thread.sleep(settle.toMillis());
                        second = look(secondLook, progress.secondLook(), pool, deadline);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        noSecondLook = "not confirmed: the vet was cancelled during the settle delay";
                    }
                }
            }
            Map<Integer, Future<List<RepairEntry>>> perNode = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<Inconsistency>> node : verdicts.entrySet()) {
                int index = node.getKey();
                Look again = secondLook.contains(index) ? second : null;
                String state = states.get(index);
                String problem = !NodeState.allowsRepair(state)
                        ? "not repaired: the node's /status says " + state + ", not SYNCHRONIZED; a node that is "
                                + "starting or still syncing lists less than it mirrors"
                        : secondLook.contains(index) && second == null ? noSecondLook : null;
                perNode.put(
                        index,
                        pool.submit(() -> repairNode(
                                repairer,
                                index,
                                node.getValue(),
                                first,
                                again,
                                problem,
                                verified.get(index),
                                inScope)));
            }
            Map<Integer, List<RepairEntry>> repairs = new LinkedHashMap<>();
            for (Map.Entry<Integer, Future<List<RepairEntry>>> node : perNode.entrySet()) {
                repairs.put(node.getKey(), awaitRepairs(node.getValue()));
            }
            return repairs;
        }
    }

    /** One node's repair step; runs on its own thread, since each node's requests are paced on their own. */
    private List<RepairEntry> repairNode(
            Repairer repairer,
            int index,
            List<Inconsistency> found,
            Look first,
            Look second,
            String noSecondLook,
            NodeVerification verification,
            LongPredicate inScope) {
        RepairNode target = repairNode(index);
        List<RepairEntry> entries = new ArrayList<>(verification.entries());
        Confirmation confirmation = null;
        PrimaryTable latest = first.table();
        if (noSecondLook != null) {
            skipAll(entries, found, noSecondLook);
        } else if (second == null) {
            confirmation = Confirmation.withoutSettle(found);
        } else if (second.table() == null) {
            skipAll(
                    entries,
                    found,
                    "not confirmed: the primary failed on the second look: "
                            + second.primary().error());
        } else {
            NodeOutcome again = second.nodes().stream()
                    .filter(n -> n.index() == index)
                    .findFirst()
                    .orElseThrow();
            if (again.comparison() == null) {
                skipAll(entries, found, "not confirmed: the second look at the node failed: " + again.error());
            } else {
                latest = second.table();
                List<Inconsistency> foundAgain = FarmComparison.verdicts(latest, again.comparison(), inScope);
                confirmation = Confirmation.of(found, first.table(), foundAgain, latest);
            }
        }
        if (confirmation != null) {
            int inScopeCount = SafetyValve.inScopeRepositories(latest, inScope);
            entries.addAll(repairer.execute(repairer.plan(target, confirmation, inScopeCount, latest))
                    .entries());
        }
        entries.sort(Comparator.comparingLong(RepairEntry::repoId));
        return entries;
    }

    private static List<RepairEntry> cancel(Future<List<RepairEntry>> future) {
        future.cancel(true);
        return null;
    }

    private static void skipAll(List<RepairEntry> entries, List<Inconsistency> found, String why) {
        for (Inconsistency inconsistency : found) {
            entries.add(
                    new RepairEntry(inconsistency.repositoryId(), inconsistency.kinds(), RepairOutcome.SKIPPED, why));
        }
    }

    private RepairNode repairNode(int index) {
        Server node = config.nodes().get(index);
        return new RepairNode(node.name(), node.url(), node.auth().authorizationHeader());
    }

    /** The node's entries, or null when the vet is cancelled first (its thread is interrupted then). */
    private static List<RepairEntry> awaitRepairs(Future<List<RepairEntry>> future) {
        try {
            return Thread.currentThread().isInterrupted() ? cancel(future) : future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cancel(future);
        } catch (ExecutionException e) {
            throw new IllegalStateException("repair step failed unexpectedly", e.getCause());
        }
    }

    // ---- fetching: one look at the primary and some nodes ----

    /**
     * One look: the primary and the given nodes, fetched at once.
     *
     * @param table null when the primary failed
     */
    private record Look(VetReport.PrimaryResult primary, PrimaryTable table, List<NodeOutcome> nodes) {}

    private Look look(List<Integer> nodeIndexes, VetProgress progress, ExecutorService pool, Deadline deadline) {
        ListingRequest primaryRequest =
                deadline.track(fetcher.prepare(config.primary(), "primary", ListingKind.FULL, progress.primary()));
        CompletableFuture<PrimaryTable> primaryReady = new CompletableFuture<>();
        Future<VetReport.PrimaryResult> primary = pool.submit(() -> fetchPrimary(primaryRequest, primaryReady));
        List<Future<NodeOutcome>> outcomes = new ArrayList<>();
        for (int index : nodeIndexes) {
            Server node = config.nodes().get(index);
            ListingRequest request = deadline.track(
                    fetcher.prepare(node, "nodes[" + index + "]", ListingKind.FULL, progress.node(index)));
            outcomes.add(pool.submit(() -> fetchNode(index, node, request, primaryReady)));
        }
        VetReport.PrimaryResult primaryResult = deadline.await(primary);
        List<NodeOutcome> nodes = new ArrayList<>();
        for (Future<NodeOutcome> outcome : outcomes) {
            nodes.add(deadline.await(outcome));
        }
        PrimaryTable table = primaryReady.isCompletedExceptionally() ? null : primaryReady.getNow(null);
        return new Look(primaryResult, table, nodes);
    }

    private VetReport.PrimaryResult fetchPrimary(ListingRequest request, CompletableFuture<PrimaryTable> ready) {
        long start = System.nanoTime();
        String url = config.primary().url().toString();
        try (request) {
            request.send();
            PrimaryTable table = new PrimaryTable();
            ListingSummary summary = request.read(table);
            table.seal();
            ready.complete(table);
            log.info("primary: {} repositories ({})", table.size(), Units.bytes(summary.bytes()));
            return new VetReport.PrimaryResult(url, (long) table.size(), summary.bytes(), msSince(start), null);
        } catch (FetchException | RuntimeException e) {
            ready.completeExceptionally(e);
            log.error("primary failed, so no node is judged: {}", e.getMessage());
            return new VetReport.PrimaryResult(url, null, request.bytesRead(), msSince(start), e.getMessage());
        }
    }

    private NodeOutcome fetchNode(
            int index, Server node, ListingRequest request, CompletableFuture<PrimaryTable> primaryReady) {
        long start = System.nanoTime();
        try (request) {
            request.send();
            PrimaryTable table;
            try {
                table = primaryReady.get();
            } catch (ExecutionException e) {
                request.cancel("not compared: the primary's listing could not be read");
                return NodeOutcome.failed(
                        index,
                        node,
                        node.name() + ": not compared: the primary's listing could not be read",
                        request.bytesRead(),
                        msSince(start));
            }
            NodeComparison comparison = new NodeComparison(table);
            ListingSummary summary = request.read(comparison);
            return new NodeOutcome(index, node, comparison, summary.bytes(), msSince(start), null);
        } catch (FetchException | RuntimeException e) {
            log.warn("{}", e.getMessage());
            return NodeOutcome.failed(index, node, e.getMessage(), request.bytesRead(), msSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NodeOutcome.failed(
                    index, node, node.name() + ": vet cancelled", request.bytesRead(), msSince(start));
        }
    }

    private static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private record NodeOutcome(
            int index, Server node, NodeComparison comparison, long bytes, long durationMs, String error) {
        static NodeOutcome failed(int index, Server node, String error, long bytes, long durationMs) {
            return new NodeOutcome(index, node, null, bytes, durationMs, error);
        }

        VetReport.NodeResult failedResult() {
            return new VetReport.NodeResult(
                    node.name(),
                    node.url().toString(),
                    VetReport.NodeStatus.FAILED,
                    error,
                    null,
                    bytes,
                    durationMs,
                    List.of());
        }

        VetReport.NodeResult vettedResult(List<Inconsistency> found) {
            return new VetReport.NodeResult(
                    node.name(),
                    node.url().toString(),
                    VetReport.NodeStatus.VETTED,
                    null,
                    comparison.repositories(),
                    bytes,
                    durationMs,
                    found);
        }
    }

    /**
     * {@code vet.deadline}: every request of the vet is tracked, and all still running when it passes (or when the
     * vet is cancelled) are cancelled with the reason; a request tracked after that is cancelled at once.
     */
    private static final class Deadline implements AutoCloseable {
        private final Set<ListingRequest> requests = ConcurrentHashMap.newKeySet();
        private final AtomicReference<String> stopped = new AtomicReference<>();
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(threads("farmvet-deadline"));
        private final long endNanos;

        Deadline(Duration deadline) {
            endNanos = System.nanoTime() + deadline.toNanos();
            String reason = "vet deadline of " + Units.duration(deadline) + " (vet.deadline) reached";
            timer.schedule(() -> stop(reason), deadline.toMillis(), TimeUnit.MILLISECONDS);
        }

        ListingRequest track(ListingRequest request) {
            requests.add(request);
            String reason = stopped.get();
            if (reason != null) {
                request.cancel(reason);
            }
            return request;
        }

        void stop(String reason) {
            stopped.compareAndSet(null, reason);
            for (ListingRequest request : requests) {
                request.cancel(stopped.get());
            }
        }

        Duration remaining() {
            return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
        }

        /** Waits for a fetch task; past the deadline it has {@value #CANCEL_GRACE_MS} ms to end after its cancel. */
        <T> T await(Future<T> future) {
            try {
                return future.get(remaining().toMillis() + CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop("vet cancelled");
                return afterCancel(future);
            } catch (TimeoutException e) {
                stop("vet deadline passed and the fetch did not stop");
                return afterCancel(future);
            } catch (ExecutionException e) {
                // The fetch tasks catch everything they expect; anything else is a bug worth a stack trace.
                throw new IllegalStateException("fetch task failed unexpectedly", e.getCause());
            }
        }

        /** Collects a cancelled fetch's outcome, even on an interrupted thread (whose flag it keeps). */
        private static <T> T afterCancel(Future<T> future) {
            boolean interrupted = Thread.interrupted();
            try {
                return future.get(CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
                throw new IllegalStateException("vet interrupted again while its fetches were being cancelled", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(
                        "a fetch did not stop within " + CANCEL_GRACE_MS + " ms of being cancelled", e);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}

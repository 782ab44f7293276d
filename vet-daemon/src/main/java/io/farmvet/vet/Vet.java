package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.NodeComparison;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.NodeState;
import io.farmvet.fetch.NodeStatusProbe;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairMode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        ExecutorService pool = Executors.newCachedThreadPool(NamedThreads.of("vet"));
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
            FarmLook farm = new FarmLook(config, fetcher, pool, deadline);
            FarmLook.Look first = farm.look(everyNode, progress);
            Map<Integer, String> states = new LinkedHashMap<>();
            for (Map.Entry<Integer, Future<String>> probe : stateProbes.entrySet()) {
                states.put(probe.getKey(), awaitState(probe.getValue(), probes.get(probe.getKey())));
            }
            List<NodeComparison> vetted = first.nodes().stream()
                    .map(FarmLook.NodeOutcome::comparison)
                    .filter(c -> c != null)
                    .toList();
            LongPredicate inScope = first.table() == null
                    ? null
                    : FarmComparison.scope(config.farm().scope(), vetted);
            List<VetReport.NodeResult> results = new ArrayList<>();
            Map<Integer, List<Inconsistency>> verdicts = new LinkedHashMap<>();
            for (FarmLook.NodeOutcome outcome : first.nodes()) {
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
                    Map<Integer, List<RepairEntry>> repairs = new RepairStep(config, clock, pool, deadline, farm)
                            .run(first, verdicts, states, inScope, startedAt, progress);
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
}

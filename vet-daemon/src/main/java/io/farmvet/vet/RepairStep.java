package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.NodeState;
import io.farmvet.repair.NodeVerification;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairOutcome;
import io.farmvet.repair.Repairer;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.repair.plan.SafetyValve;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repair step of a vet, for every node whose listing arrived whole: settle earlier repairs against this vet's
 * verdicts, wait {@code repair.settle} and look again at the primary and the drifted nodes, and have the
 * {@link Repairer} plan and send requests for what is still wrong with an unchanged primary. A node whose
 * {@code /status} is not settled, or whose second look failed, gets nothing. Each node's requests are paced on
 * their own thread. One instance per vet.
 */
final class RepairStep {
    private static final Logger log = LoggerFactory.getLogger(RepairStep.class);

    private final FarmvetConfig config;
    private final Clock clock;
    private final ExecutorService pool;
    private final Deadline deadline;
    private final FarmLook farm;

    RepairStep(FarmvetConfig config, Clock clock, ExecutorService pool, Deadline deadline, FarmLook farm) {
        this.config = config;
        this.clock = clock;
        this.pool = pool;
        this.deadline = deadline;
        this.farm = farm;
    }

    /** Repair entries per node index, for every vetted node; null for a node whose step was cancelled. */
    Map<Integer, List<RepairEntry>> run(
            FarmLook.Look first,
            Map<Integer, List<Inconsistency>> verdicts,
            Map<Integer, String> states,
            LongPredicate inScope,
            Instant listedAt,
            VetProgress progress)
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
            FarmLook.Look second = null;
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
                        second = farm.look(secondLook, progress.secondLook());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        noSecondLook = "not confirmed: the vet was cancelled during the settle delay";
                    }
                }
            }
            Map<Integer, Future<List<RepairEntry>>> perNode = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<Inconsistency>> node : verdicts.entrySet()) {
                int index = node.getKey();
                FarmLook.Look again = secondLook.contains(index) ? second : null;
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
            FarmLook.Look first,
            FarmLook.Look second,
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
            FarmLook.NodeOutcome again = second.nodes().stream()
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
}

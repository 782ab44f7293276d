package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
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
import java.util.List;
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

    /**
     * The nodes with their verification and repairs: every vetted node gets both, its repairs null when its step
     * was cancelled; a node whose listing failed is returned as it came.
     */
    List<NodeVet> run(
            FarmLook.Look first, List<NodeVet> nodes, LongPredicate inScope, Instant listedAt, VetProgress progress)
            throws RepairSession.RepairSetupException {
        try (RepairSession session = RepairSession.open(config, clock)) {
            Repairer repairer = session.repairer;
            List<NodeVet> verified = new ArrayList<>();
            List<Integer> secondLook = new ArrayList<>();
            for (NodeVet node : nodes) {
                if (!node.vetted()) {
                    verified.add(node);
                    continue;
                }
                RepairNode target = node.repairTarget();
                verified.add(node.verified(repairer.verify(target, node.verdicts(), listedAt)));
                if (node.allowsRepair() && repairer.needsSecondLook(target, node.verdicts())) {
                    secondLook.add(node.index());
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
                    log.info(
                            "{} drifted; looking again in {} to confirm",
                            Units.count(secondLook.size(), "node", "nodes"),
                            Units.duration(settle));
                    try {
                        Thread.sleep(settle.toMillis());
                        second = farm.look(secondLook, progress.secondLook());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        noSecondLook = "not confirmed: the vet was cancelled during the settle delay";
                    }
                }
            }
            List<Sending> sending = new ArrayList<>();
            for (NodeVet node : verified) {
                if (!node.vetted()) {
                    sending.add(new Sending(node, null));
                    continue;
                }
                boolean looked = secondLook.contains(node.index());
                FarmLook.Look again = looked ? second : null;
                String problem = !node.allowsRepair()
                        ? "not repaired: the node's /status says " + node.state() + ", not SYNCHRONIZED; a node "
                                + "that is starting or still syncing lists less than it mirrors"
                        : looked && second == null ? noSecondLook : null;
                sending.add(new Sending(
                        node, pool.submit(() -> repairNode(repairer, node, first, again, problem, inScope))));
            }
            List<NodeVet> repaired = new ArrayList<>();
            for (Sending node : sending) {
                repaired.add(node.await());
            }
            return repaired;
        }
    }

    /** A node's repair step under way on its own thread; none for a node whose listing failed. */
    private record Sending(NodeVet node, Future<List<RepairEntry>> entries) {
        /** The node with its entries, or with none (null) when the vet is cancelled first. */
        NodeVet await() {
            return entries == null ? node : node.repaired(awaitRepairs(entries));
        }
    }

    /** One node's repair step; runs on its own thread, since each node's requests are paced on their own. */
    private List<RepairEntry> repairNode(
            Repairer repairer,
            NodeVet node,
            FarmLook.Look first,
            FarmLook.Look second,
            String noSecondLook,
            LongPredicate inScope) {
        List<Inconsistency> found = node.verdicts();
        List<RepairEntry> entries = new ArrayList<>(node.verification().entries());
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
            FarmLook.NodeOutcome again = second.node(node.index());
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
            entries.addAll(repairer.execute(repairer.plan(node.repairTarget(), confirmation, inScopeCount, latest))
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

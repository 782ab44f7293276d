package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairOutcome;
import io.farmvet.repair.RepairPermit;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.Repairer;
import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.repair.plan.SafetyValve;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repair step of a vet, for every node whose listing arrived whole: settle earlier repairs against this vet's
 * verdicts, wait {@code repair.settle} and look again at the primary and the drifted nodes, and have the
 * {@link Repairer} plan and send requests for what is still wrong with an unchanged primary. A node with little
 * drift is looked at again per repository ({@link RepositoryLook}, up to {@code repair.confirm-per-repository-max}),
 * the others and those whose endpoints do not serve that through both whole listings again ({@link FarmLook}); the
 * report says which way each node went ({@link SecondLook}). A node whose {@code /status} is not settled, or whose
 * second look failed or ended late, gets nothing. Each node's requests are paced on
 * their own thread. One instance per vet.
 */
final class RepairStep {
    private static final Logger log = LoggerFactory.getLogger(RepairStep.class);

    private final FarmvetConfig config;
    private final Clock clock;
    private final ExecutorService pool;
    private final Deadline deadline;
    private final FarmLook farm;
    private final ListingFetcher fetcher;
    private final RepairPermit permit;
    private volatile String stopped;

    RepairStep(
            FarmvetConfig config,
            Clock clock,
            ExecutorService pool,
            Deadline deadline,
            FarmLook farm,
            ListingFetcher fetcher,
            RepairPermit permit) {
        this.permit = permit;
        this.config = config;
        this.clock = clock;
        this.pool = pool;
        this.deadline = deadline;
        this.farm = farm;
        this.fetcher = fetcher;
    }

    /**
     * The nodes with their verification and repairs: every vetted node gets both, its repairs null when its step
     * was cancelled; a node whose listing failed is returned as it came.
     */
    List<NodeVet> run(
            FarmLook.Look first, List<NodeVet> nodes, LongPredicate inScope, Instant listedAt, VetProgress progress)
            throws RepairSession.RepairSetupException {
        try (RepairSession session = RepairSession.open(config, clock, permit)) {
            Repairer repairer = session.repairer;
            try {
                return repairAll(repairer, first, nodes, inScope, listedAt, progress);
            } finally {
                stopped = repairer.stopped();
            }
        }
    }

    /** Why the repairs of this vet stopped (its state failed mid-vet), or null; known once {@link #run} returned. */
    String stopped() {
        return stopped;
    }

    private List<NodeVet> repairAll(
            Repairer repairer,
            FarmLook.Look first,
            List<NodeVet> nodes,
            LongPredicate inScope,
            Instant listedAt,
            VetProgress progress) {
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
        Map<Integer, Again> again = Map.of();
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
                    again = secondLook(first, verified, secondLook, inScope, repairer.settings(), progress);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    noSecondLook = "not confirmed: the vet was cancelled during the settle delay";
                }
            }
        }
        List<Sending> sending = new ArrayList<>();
        for (NodeVet node : verified) {
            if (!node.vetted()) {
                sending.add(new Sending(node, null, null));
                continue;
            }
            boolean looked = secondLook.contains(node.index());
            Again nodeAgain = looked ? again.get(node.index()) : null;
            String problem = !node.allowsRepair()
                    ? "not repaired: the node's /status says " + node.state() + ", not SYNCHRONIZED; a node "
                            + "that is starting or still syncing lists less than it mirrors"
                    : looked && nodeAgain == null
                            ? Objects.requireNonNullElse(noSecondLook, "not confirmed: the node had no second look")
                            : null;
            sending.add(new Sending(
                    node,
                    nodeAgain == null ? null : nodeAgain.look(),
                    pool.submit(() -> repairNode(repairer, node, first, nodeAgain, problem, inScope))));
        }
        List<NodeVet> repaired = new ArrayList<>();
        for (Sending node : sending) {
            repaired.add(node.await());
        }
        return repaired;
    }

    /**
     * A node's second look: the listings' look, or its per-repository answers, or why nothing confirms (the look
     * did not end in time); with how it was looked at, for the report.
     */
    private record Again(
            FarmLook.Look listings, RepositoryLook.Looked perRepository, String unconfirmed, SecondLook look) {}

    /**
     * Looks again at the drifted nodes: per repository where the drift is small and the endpoints serve it, then
     * through the listings (the primary's and theirs, in one {@link FarmLook}) for the others and for those that
     * fell back.
     */
    /**
     * Why a node or primary of kind git (ls-remote or a grokmirror manifest) is confirmed through its listing: it
     * has no Bitbucket API to ask per repository ({@code repos/{id}}, {@code repoSyncStatus}).
     */
    private String gitKindSide(NodeVet node) {
        FarmvetConfig.Server git = node.server().isGit() ? node.server() : config.primary();
        String listing = git.isManifest() ? "grokmirror manifest" : "ls-remote listing";
        return (git == config.primary() ? "the primary" : node.server().name()) + " is of kind git, with no"
                + " per-repository API: its " + listing + " is read again";
    }

    private Map<Integer, Again> secondLook(
            FarmLook.Look first,
            List<NodeVet> nodes,
            List<Integer> indexes,
            LongPredicate inScope,
            RepairSettings settings,
            VetProgress progress) {
        Map<Integer, Again> again = new HashMap<>();
        Map<Integer, RepositoryLook.Fallback> listings = new TreeMap<>();
        Map<Integer, Asking> asking = new TreeMap<>();
        for (NodeVet node : nodes) {
            if (!indexes.contains(node.index())) {
                continue;
            }
            String why = node.server().isGit() || config.primary().isGit()
                    ? gitKindSide(node)
                    : RepositoryLook.listingsNeeded(settings, node.verdicts());
            if (why != null) {
                listings.put(node.index(), new RepositoryLook.Fallback(why, 0, 0));
                continue;
            }
            RepositoryLook look = new RepositoryLook(config, fetcher, pool, node.index());
            asking.put(
                    node.index(),
                    new Asking(look, pool.submit(() -> look.look(node.verdicts(), first.table(), inScope))));
        }
        for (Map.Entry<Integer, Asking> ask : asking.entrySet()) {
            int index = ask.getKey();
            RepositoryLook.Outcome outcome = ask.getValue().await(deadline);
            String name = config.nodes().get(index).name();
            if (outcome == null) {
                again.put(
                        index,
                        new Again(
                                null,
                                null,
                                "not confirmed: the per-repository second look did not end within vet.deadline ("
                                        + Units.duration(config.vet().deadline()) + ") or the vet was cancelled",
                                new SecondLook(
                                        SecondLook.Way.PER_REPOSITORY,
                                        null,
                                        ask.getValue().look().bytes(),
                                        0)));
            } else if (outcome instanceof RepositoryLook.Fallback fallback) {
                log.info("{}: confirming through the listings: {}", name, fallback.reason());
                listings.put(index, fallback);
            } else if (outcome instanceof RepositoryLook.Looked looked) {
                log.info(
                        "{}: confirmed per repository ({}, {})",
                        name,
                        Units.count(looked.look().requests(), "request", "requests"),
                        Units.bytes(looked.look().bytes()));
                again.put(index, new Again(null, looked, null, looked.look()));
            }
        }
        if (!listings.isEmpty()) {
            FarmLook.Look second = farm.look(List.copyOf(listings.keySet()), progress.secondLook());
            for (Map.Entry<Integer, RepositoryLook.Fallback> node : listings.entrySet()) {
                RepositoryLook.Fallback before = node.getValue();
                long bytes =
                        second.primary().bytes() + second.node(node.getKey()).bytes();
                SecondLook look = new SecondLook(SecondLook.Way.LISTINGS, before.reason(), bytes, 2)
                        .after(before.bytes(), before.requests());
                again.put(node.getKey(), new Again(second, null, null, look));
            }
        }
        return again;
    }

    /** A node's per-repository look under way on the vet's pool. */
    private record Asking(RepositoryLook look, Future<RepositoryLook.Outcome> outcome) {
        /** Its outcome, or null when it did not end within the vet's deadline (or the vet was cancelled). */
        RepositoryLook.Outcome await(Deadline deadline) {
            try {
                return outcome.get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                stop();
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException("per-repository look failed unexpectedly", e.getCause());
            }
        }

        /** Late answers are no confirmation: whatever is in flight is aborted and nothing of it is used. */
        private void stop() {
            look.cancel();
            outcome.cancel(true);
        }
    }

    /** A node's repair step under way on its own thread; none for a node whose listing failed. */
    private record Sending(NodeVet node, SecondLook look, Future<List<RepairEntry>> entries) {
        /** The node with its entries, or with none (null) when the vet is cancelled first. */
        NodeVet await() {
            return entries == null ? node : node.repaired(awaitRepairs(entries)).lookedAgain(look);
        }
    }

    /** One node's repair step; runs on its own thread, since each node's requests are paced on their own. */
    private List<RepairEntry> repairNode(
            Repairer repairer,
            NodeVet node,
            FarmLook.Look first,
            Again again,
            String noSecondLook,
            LongPredicate inScope) {
        List<Inconsistency> found = node.verdicts();
        List<RepairEntry> entries = new ArrayList<>(node.verification().entries());
        Confirmation confirmation = null;
        PrimaryTable latest = first.table();
        PrimaryTable whole = first.table();
        if (noSecondLook != null) {
            skipAll(entries, found, noSecondLook);
        } else if (again == null) {
            confirmation = Confirmation.withoutSettle(found);
        } else if (again.unconfirmed() != null) {
            skipAll(entries, found, again.unconfirmed());
        } else if (again.perRepository() != null) {
            RepositoryLook.Looked looked = again.perRepository();
            List<Inconsistency> asked = new ArrayList<>();
            for (Inconsistency inconsistency : found) {
                String why = looked.unconfirmed().get(inconsistency.repositoryId());
                if (why == null) {
                    asked.add(inconsistency);
                } else {
                    skipAll(entries, List.of(inconsistency), why);
                }
            }
            // The small table names the repositories asked; the safety valve still counts the whole primary.
            latest = looked.primary();
            confirmation = Confirmation.of(asked, first.table(), looked.again(), latest);
        } else if (again.listings().table() == null) {
            skipAll(
                    entries,
                    found,
                    "not confirmed: the primary failed on the second look: "
                            + again.listings().primary().error());
        } else {
            FarmLook.NodeOutcome outcome = again.listings().node(node.index());
            if (outcome.comparison() == null) {
                skipAll(entries, found, "not confirmed: the second look at the node failed: " + outcome.error());
            } else {
                latest = again.listings().table();
                whole = latest;
                List<Inconsistency> foundAgain = FarmComparison.verdicts(latest, outcome.comparison(), inScope);
                confirmation = Confirmation.of(found, first.table(), foundAgain, latest);
            }
        }
        if (confirmation != null) {
            int inScopeCount = SafetyValve.inScopeRepositories(whole, inScope);
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
            if (e.getCause() instanceof LedgerException state) {
                throw state; // the state failed (its message names it), not the repair step
            }
            throw new IllegalStateException("repair step failed unexpectedly", e.getCause());
        }
    }
}

package io.farmvet.repair;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.concurrent.Sleeper;
import io.farmvet.concurrent.TokenBucket;
import io.farmvet.repair.audit.AuditLog;
import io.farmvet.repair.audit.AuditRecord;
import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.repair.ledger.RepairRecord;
import io.farmvet.repair.ledger.Verification;
import io.farmvet.repair.plan.Confirmation;
import io.farmvet.repair.plan.RepairPlan;
import io.farmvet.repair.plan.SafetyValve;
import io.farmvet.repair.send.Backoff;
import io.farmvet.repair.send.RepairAdapter;
import io.farmvet.repair.send.RepairRequest;
import io.farmvet.repair.send.RepairTransport;
import io.farmvet.repair.send.RequestSender;
import io.farmvet.repair.send.SendResult;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a vet's verdicts about one node into resync requests and settles earlier ones. The vet owns fetching and
 * timing and calls, per node whose listing arrived whole:
 *
 * <ol>
 *   <li>{@link #verify}: settle the node's pending repairs against this vet's verdicts (before anything else, so
 *       that a repaired repository is no longer pending);
 *   <li>{@link #needsSecondLook}: if true for any node, wait {@code repair.settle}, then fetch the primary and
 *       those nodes again;
 *   <li>{@link Confirmation#of} with both looks ({@link Confirmation#withoutSettle} when no second look is
 *       needed); a node or primary that failed on the second look gets no confirmation and no repair;
 *   <li>{@link #plan}: safety valve, no repeats, dry run; nothing is sent;
 *   <li>{@link #execute}: send, record each request in the ledger before it goes out, and in the audit log (a
 *       {@code sent} line before it goes out, an answer line after, paired by the ledger row's id).
 * </ol>
 *
 * <p>Thread-safe: nodes may be handled in parallel, but one node by one caller at a time (pressure bounds are per
 * {@link #execute} call: {@code repair.concurrency} requests in flight and {@code repair.rate} per second).
 */
public final class Repairer {
    private static final Logger log = LoggerFactory.getLogger(Repairer.class);

    static final String REPORT_ONLY = "report only (repair.mode: none)";
    static final String HEALED = "healed during the settle delay";

    private final RepairSettings settings;
    private final RepairAdapter adapter;
    private final RepairTransport transport;
    private final RepairLedger ledger;
    private final AuditLog audit;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final SafetyValve valve;
    private final RepairPermit permit;
    /** Why this vet sends no more repairs (its state failed); null while it may. Latched: see {@link #sendOne}. */
    private final AtomicReference<String> stopped = new AtomicReference<>();

    /**
     * @param random for back-off jitter; tests pass a seeded one
     */
    public Repairer(
            RepairSettings settings,
            RepairAdapter adapter,
            RepairTransport transport,
            RepairLedger ledger,
            AuditLog audit,
            Clock clock,
            Sleeper sleeper,
            RandomGenerator random) {
        this(settings, adapter, transport, ledger, audit, clock, sleeper, random, RepairPermit.ALONE);
    }

    /** @param permit asked before each ledger row is written; once it or the ledger fails, nothing more is sent */
    public Repairer(
            RepairSettings settings,
            RepairAdapter adapter,
            RepairTransport transport,
            RepairLedger ledger,
            AuditLog audit,
            Clock clock,
            Sleeper sleeper,
            RandomGenerator random,
            RepairPermit permit) {
        this.permit = permit;
        this.settings = settings;
        this.adapter = adapter;
        this.transport = transport;
        this.ledger = ledger;
        this.audit = audit;
        this.clock = clock;
        this.sleeper = sleeper;
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), random);
        this.valve = new SafetyValve(settings.maxFraction(), settings.maxPerRun());
    }

    public RepairSettings settings() {
        return settings;
    }

    /** Why this vet sends no more repairs (its state failed mid-vet), or null while it may. */
    public String stopped() {
        return stopped.get();
    }

    /**
     * Settles the node's pending repairs against a whole listing of it.
     *
     * @param verdicts every inconsistency of the node in this vet
     * @param listedAt when this vet requested the node's listing: repairs requested later are not judged by it
     */
    public NodeVerification verify(RepairNode node, List<Inconsistency> verdicts, Instant listedAt) {
        List<Long> inconsistent =
                verdicts.stream().map(Inconsistency::repositoryId).collect(Collectors.toList());
        Instant now = clock.instant();
        List<Verification> settled =
                ledger.verify(node.name(), inconsistent, listedAt, now, settings.verifyVets(), settings.verifyAfter());
        List<RepairEntry> entries = new ArrayList<>();
        for (Verification verification : settled) {
            RepairRecord repair = verification.repair();
            String detail = verification.outcome() == VerificationOutcome.REPAIRED
                    ? "verified " + Units.duration(verification.cycleTime()) + " after the request"
                    : "still inconsistent on " + Units.count(repair.checks(), "vet", "vets") + " over "
                            + Units.duration(verification.cycleTime()) + " after the request";
            Duration cycleTime =
                    verification.outcome() == VerificationOutcome.REPAIRED ? verification.cycleTime() : null;
            entries.add(
                    new RepairEntry(repair.repositoryId(), repair.kinds(), verification.outcome(), detail, cycleTime));
            audit(new AuditRecord(
                    now,
                    repair.id(),
                    node.name(),
                    repair.repositoryId(),
                    repair.projectId(),
                    repair.kinds(),
                    repair.request(),
                    repair.answer(),
                    verification.outcome().wireName(),
                    detail));
        }
        entries.sort(Comparator.comparingLong(RepairEntry::repoId));
        return new NodeVerification(
                node.name(), entries, settled, ledger.pending(node.name()).size());
    }

    /**
     * True when the node's verdicts hold something that may be repaired, so it needs a second look after
     * {@code repair.settle}: confirming is on, a mode that sends is chosen, and some repository is not already
     * pending.
     */
    public boolean needsSecondLook(RepairNode node, List<Inconsistency> verdicts) {
        if (!settings.confirms() || adapter.mode() == RepairMode.NONE || verdicts.isEmpty()) {
            return false;
        }
        Map<Long, RepairRecord> pending = ledger.pending(node.name());
        return verdicts.stream().anyMatch(v -> !pending.containsKey(v.repositoryId()));
    }

    /**
     * Decides what to do about the node without sending anything.
     *
     * @param inScopeRepositories the primary's repositories in the farm's scope (see
     *     {@link SafetyValve#inScopeRepositories})
     * @param primary the primary's latest listing, for the names of the repositories (where it has them)
     */
    public RepairPlan plan(RepairNode node, Confirmation confirmation, int inScopeRepositories, PrimaryTable primary) {
        List<RepairEntry> decided = new ArrayList<>();
        List<RepairPlan.Send> toSend = new ArrayList<>();
        for (Confirmation.InFlight inFlight : confirmation.inFlight()) {
            Inconsistency first = inFlight.first();
            decided.add(new RepairEntry(
                    first.repositoryId(),
                    first.kinds(),
                    RepairOutcome.SKIPPED,
                    inFlight.reason().detail()));
        }
        for (Inconsistency healed : confirmation.healed()) {
            decided.add(new RepairEntry(healed.repositoryId(), healed.kinds(), RepairOutcome.SKIPPED, HEALED));
        }
        List<Inconsistency> confirmed = confirmation.confirmed();
        boolean refused = false;
        if (adapter.mode() == RepairMode.NONE) {
            for (Inconsistency target : confirmed) {
                decided.add(new RepairEntry(target.repositoryId(), target.kinds(), RepairOutcome.SKIPPED, REPORT_ONLY));
            }
        } else if (!valve.allows(confirmed.size(), inScopeRepositories)) {
            refused = true;
            String detail = SafetyValve.refusal(confirmed.size(), inScopeRepositories);
            log.warn(
                    "{}: {}; limit {} (repair.max-fraction {}, repair.max-per-run {}): nothing is sent to it",
                    node.name(),
                    detail,
                    valve.limit(inScopeRepositories),
                    settings.maxFraction(),
                    settings.maxPerRun());
            for (Inconsistency target : confirmed) {
                decided.add(new RepairEntry(target.repositoryId(), target.kinds(), RepairOutcome.REFUSED, detail));
            }
        } else {
            Map<Long, RepairRecord> pending = ledger.pending(node.name());
            for (Inconsistency found : confirmed) {
                RepairRecord earlier = pending.get(found.repositoryId());
                if (earlier != null) {
                    decided.add(new RepairEntry(
                            found.repositoryId(),
                            found.kinds(),
                            RepairOutcome.SKIPPED,
                            "pending since " + earlier.requestedAt()));
                    continue;
                }
                int index = primary.indexOf(found.repositoryId());
                RepairTarget target = new RepairTarget(
                        node,
                        found.repositoryId(),
                        found.projectId(),
                        found.kinds(),
                        index < 0 ? null : primary.projectKey(index),
                        index < 0 ? null : primary.slug(index));
                Optional<RepairRequest> request;
                try {
                    request = adapter.request(target);
                } catch (IllegalArgumentException e) {
                    decided.add(
                            new RepairEntry(found.repositoryId(), found.kinds(), RepairOutcome.FAILED, e.getMessage()));
                    continue;
                }
                if (request.isEmpty()) {
                    decided.add(
                            new RepairEntry(found.repositoryId(), found.kinds(), RepairOutcome.SKIPPED, REPORT_ONLY));
                } else if (settings.dryRun()) {
                    decided.add(new RepairEntry(
                            found.repositoryId(),
                            found.kinds(),
                            RepairOutcome.DRY_RUN,
                            request.get().describe()));
                } else {
                    toSend.add(new RepairPlan.Send(target, request.get()));
                }
            }
        }
        return new RepairPlan(node, decided, toSend, confirmed.size(), inScopeRepositories, refused);
    }

    /**
     * Sends the plan's requests within the node's bounds and records each: in the ledger before it goes out
     * (a request whose row cannot be written is not sent) and after its answer, and in the audit log likewise.
     * A request whose answer is not awaited because the calling thread was interrupted (farmvet is stopping)
     * stays pending. Returns when every request has ended.
     */
    public NodeRepairs execute(RepairPlan plan) {
        List<RepairEntry> entries = new ArrayList<>(plan.decided());
        if (!plan.toSend().isEmpty()) {
            entries.addAll(send(plan));
        }
        entries.sort(Comparator.comparingLong(RepairEntry::repoId));
        return new NodeRepairs(plan.node().name(), entries, plan.refused());
    }

    private List<RepairEntry> send(RepairPlan plan) {
        RequestSender sender = new RequestSender(
                transport,
                adapter,
                new TokenBucket(settings.ratePerSecond(), sleeper),
                backoff,
                settings.retries(),
                sleeper);
        int threads = Math.min(settings.concurrency(), plan.toSend().size());
        ExecutorService pool = Executors.newFixedThreadPool(
                threads, NamedThreads.of("repair-" + plan.node().name()));
        List<Future<RepairEntry>> futures = new ArrayList<>();
        try {
            for (RepairPlan.Send send : plan.toSend()) {
                Callable<RepairEntry> task = () -> sendOne(sender, send);
                futures.add(pool.submit(task));
            }
            List<RepairEntry> entries = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                RepairPlan.Send send = plan.toSend().get(i);
                try {
                    entries.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    entries.add(new RepairEntry(
                            send.target().repositoryId(),
                            send.target().kinds(),
                            RepairOutcome.FAILED,
                            send.request().mask(String.valueOf(e.getCause().getMessage()))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    entries.add(new RepairEntry(
                            send.target().repositoryId(),
                            send.target().kinds(),
                            RepairOutcome.FAILED,
                            "interrupted before its answer; a recorded request stays pending for verification"));
                }
            }
            return entries;
        } finally {
            pool.shutdownNow();
        }
    }

    private RepairEntry sendOne(RequestSender sender, RepairPlan.Send send) {
        RepairTarget target = send.target();
        RepairRequest request = send.request();
        // A state that failed once in this vet is not trusted again in it: the database may be back, but the vet
        // lock went with its connection and another instance may be vetting now.
        String stop = stopped.get();
        if (stop != null) {
            return notSent(target, stop);
        }
        long id;
        try {
            permit.confirm();
            // Written and synced before the request leaves: a crash after sending must not lead to a second request.
            id = ledger.begin(target, request.summary(), clock.instant());
        } catch (LedgerException e) {
            return notSent(target, stop(e));
        }
        audit(auditLine(clock.instant(), id, target, request, null, AuditRecord.SENT, null));
        SendResult result = sender.send(request);
        // The ledger's file I/O fails on an interrupted thread (H2's FileChannel closes under it), yet a stopping
        // farmvet must still record what it knows: the flag is cleared for the writes and restored after them.
        boolean stopping = Thread.interrupted();
        try {
            return record(target, request, id, result, stopping);
        } catch (LedgerException e) {
            String why = stop(e);
            audit(auditLine(clock.instant(), id, target, request, result.answer(), AuditRecord.UNANSWERED, why));
            return new RepairEntry(
                    target.repositoryId(),
                    target.kinds(),
                    RepairOutcome.FAILED,
                    "sent, but its answer (" + result.answer() + ") could not be recorded; it stays pending for the"
                            + " next vet to verify: " + why);
        } finally {
            if (stopping) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private RepairEntry record(
            RepairTarget target, RepairRequest request, long id, SendResult result, boolean stopping) {
        Instant answeredAt = clock.instant();
        if (!result.accepted() && stopping) {
            // farmvet is stopping: the node may have taken the request without our hearing it, so the row stays
            // pending and the next vet verifies it instead of sending it again.
            String detail = "no answer awaited: farmvet is stopping; pending until a vet verifies it";
            ledger.unanswered(id, result.answer(), result.attempts());
            audit(auditLine(answeredAt, id, target, request, result.answer(), AuditRecord.UNANSWERED, detail));
            log.info(
                    "{}: resync of {} ({}) sent, {}",
                    target.node().name(),
                    repository(target),
                    target.kindsText(),
                    detail);
            return new RepairEntry(target.repositoryId(), target.kinds(), RepairOutcome.FAILED, detail);
        }
        ledger.answered(id, result.answer(), result.attempts(), result.accepted(), answeredAt);
        RepairOutcome outcome = result.accepted() ? RepairOutcome.SENT : RepairOutcome.FAILED;
        String detail = result.accepted() ? result.answer() : result.detail();
        if (result.accepted()) {
            log.info(
                    "{}: resync of {} ({}) sent: {}",
                    target.node().name(),
                    repository(target),
                    target.kindsText(),
                    result.answer());
        } else {
            log.warn(
                    "{}: resync of {} ({}) failed: {}",
                    target.node().name(),
                    repository(target),
                    target.kindsText(),
                    detail);
        }
        audit(auditLine(
                answeredAt,
                id,
                target,
                request,
                result.answer(),
                result.accepted() ? AuditRecord.ACCEPTED : AuditRecord.FAILED,
                result.accepted() ? null : detail));
        return new RepairEntry(target.repositoryId(), target.kinds(), outcome, detail);
    }

    /** Latches the stop (the first failure names it) and says why, for every repair this vet no longer sends. */
    private String stop(LedgerException e) {
        String why = "repairs stopped for this vet: " + e.getMessage() + "; no repair is sent without its ledger"
                + " row, so none goes out until " + ledger.where() + " is reachable again; the next vet verifies"
                + " the pending ones and repairs the rest";
        if (stopped.compareAndSet(null, why)) {
            log.error("{}", why);
        }
        return stopped.get();
    }

    private static RepairEntry notSent(RepairTarget target, String why) {
        return new RepairEntry(target.repositoryId(), target.kinds(), RepairOutcome.FAILED, "not sent: " + why);
    }

    private static AuditRecord auditLine(
            Instant at,
            long id,
            RepairTarget target,
            RepairRequest request,
            String answer,
            String outcome,
            String detail) {
        return new AuditRecord(
                at,
                id,
                target.node().name(),
                target.repositoryId(),
                target.projectId(),
                target.kinds(),
                request.summary(),
                answer,
                outcome,
                detail);
    }

    /** {@code repository 42 PROJ/repo}, or {@code repository 42} when the primary's listing had no name for it. */
    private static String repository(RepairTarget target) {
        return target.projectKey() == null || target.slug() == null
                ? "repository " + target.repositoryId()
                : "repository " + target.repositoryId() + " " + target.projectKey() + "/" + target.slug();
    }

    /** The ledger is the record that prevents repeats; a failing audit log is logged, not allowed to stop it. */
    private void audit(AuditRecord record) {
        try {
            audit.append(record);
        } catch (RuntimeException e) {
            log.error("{}: repository {}: {}", record.node(), record.repositoryId(), e.getMessage());
        }
    }
}

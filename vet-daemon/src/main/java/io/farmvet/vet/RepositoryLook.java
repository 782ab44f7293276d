package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.bitbucket.BitbucketApiException;
import io.farmvet.fetch.bitbucket.MirrorNodeApi;
import io.farmvet.fetch.bitbucket.PrimaryRepo;
import io.farmvet.fetch.bitbucket.PrimaryRepoApi;
import io.farmvet.fetch.bitbucket.RepoSyncStatus;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.plan.Confirmation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;

/**
 * The second look at one node, repository by repository (issue 12): for each repository the first look found
 * drifted, the primary's {@code repos/{id}} and then the node's {@code repoSyncStatus} under the name the primary
 * just gave, instead of both whole listings again. The answers become a small primary table and a node comparison
 * against it, judged by the same code as the listings ({@link FarmComparison#verdicts}), so that
 * {@link Confirmation#of} applies the same rules either way.
 *
 * <p>What it cannot be sure of sends the node back to the listings ({@link Fallback}): a 401, 403 or 405 from
 * either side (not offered, or forbidden), or 404s that nothing shows to mean "no such repository" rather than "no
 * such endpoint". A 404 is read as "no such repository" only when the same server answered 200 for another
 * repository of this look, or for a control: a repository the first look found on both, consistent; and the
 * node's 404 only for a repository its listing lacked too (else it may know it by another name). An answer
 * that is malformed or for another repository confirms nothing: that repository is left alone with the reason,
 * and when no answer of a side can be used at all the listings decide.
 * Answers after {@code vet.deadline} are not used at all (the caller {@link #cancel}s the look).
 *
 * <p>One instance per node and vet; {@link #cancel} may come from any thread.
 */
final class RepositoryLook {
    /**
     * Repositories asked at once per node: 200 repositories at 4 in flight take 50 round trips per side, a few
     * seconds across a WAN, without a burst of requests at the primary.
     */
    static final int STRANDS = 4;

    /** What the look made of the node. */
    sealed interface Outcome permits Looked, Fallback {}

    /**
     * Looked at per repository.
     *
     * @param primary the primary's answers as a table, for the repositories both sides answered
     * @param again the node's verdicts against it
     * @param unconfirmed repositories no answer confirmed, with the detail for the report
     */
    record Looked(PrimaryTable primary, List<Inconsistency> again, Map<Long, String> unconfirmed, SecondLook look)
            implements Outcome {}

    /** The listings must confirm this node: why, and what the per-repository look fetched before it gave up. */
    record Fallback(String reason, long bytes, long requests) implements Outcome {}

    private final FarmvetConfig.Server node;
    private final ExecutorService pool;
    private final PrimaryRepoApi primaryApi;
    private final MirrorNodeApi nodeApi;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicReference<String> fallback = new AtomicReference<>();

    RepositoryLook(FarmvetConfig config, ListingFetcher fetcher, ExecutorService pool, int nodeIndex) {
        this.node = config.nodes().get(nodeIndex);
        this.pool = pool;
        this.primaryApi = new PrimaryRepoApi(fetcher, config.primary());
        this.nodeApi = new MirrorNodeApi(fetcher, node, "nodes[" + nodeIndex + "]");
    }

    /**
     * Why this node's drift must be confirmed through the listings before anything is asked, or null: more drift
     * than {@code repair.confirm-per-repository-max}, or a repository the primary cannot name.
     */
    static String listingsNeeded(RepairSettings settings, List<Inconsistency> found) {
        if (!settings.confirmsPerRepository(found.size())) {
            return found.size() + " drifted repositories, more than repair.confirm-per-repository-max ("
                    + settings.confirmPerRepositoryMax() + ")";
        }
        for (Inconsistency inconsistency : found) {
            if (inconsistency.kinds().contains(Kind.EXTRA)) {
                return "repository " + inconsistency.repositoryId() + " is extra on the node, and without the "
                        + "primary's name for it the node cannot be asked for it alone";
            }
        }
        return null;
    }

    /** Aborts what is in flight; the look then ends soon, and its outcome must not be used. */
    void cancel() {
        fallback.compareAndSet(null, "cancelled");
        primaryApi.cancel();
        nodeApi.cancel();
    }

    long bytes() {
        return primaryApi.bytesRead() + nodeApi.bytesRead();
    }

    /**
     * Looks at the node's drifted repositories again.
     *
     * @param found the node's verdicts of the first look, none of them {@link Kind#EXTRA}
     * @param first the primary's table of the first look, for a control repository
     * @param inScope the farm's scope, as the first look drew it
     */
    Outcome look(List<Inconsistency> found, PrimaryTable first, LongPredicate inScope) throws InterruptedException {
        Map<Long, Answer> answers = new ConcurrentHashMap<>();
        List<Future<?>> strands = new ArrayList<>();
        for (int s = 0; s < Math.min(STRANDS, found.size()); s++) {
            int strand = s;
            strands.add(pool.submit(() -> {
                for (int i = strand; i < found.size() && fallback.get() == null; i += STRANDS) {
                    Inconsistency drifted = found.get(i);
                    answers.put(drifted.repositoryId(), ask(drifted));
                }
            }));
        }
        for (Future<?> strand : strands) {
            try {
                strand.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("per-repository look failed unexpectedly", e.getCause());
            }
        }
        if (fallback.get() == null) {
            fallback.compareAndSet(null, nothingUsable(answers));
        }
        String proof = fallback.get() == null ? provenNotFound(answers, found, first, inScope) : null;
        if (fallback.get() != null || proof != null) {
            return new Fallback(fallback.get() != null ? fallback.get() : proof, bytes(), requests.get());
        }
        return looked(answers, inScope);
    }

    /** One repository's answers: the primary's (null when it has none), and the node's when the primary had it. */
    private record Answer(PrimaryRepo primary, RepoSyncStatus node, String unconfirmed) {
        boolean primaryGone() {
            return primary == null && unconfirmed == null;
        }

        boolean nodeLacks() {
            return primary != null && node == null && unconfirmed == null;
        }
    }

    private Answer ask(Inconsistency first) {
        long id = first.repositoryId();
        PrimaryRepo primary;
        try {
            requests.incrementAndGet();
            primary = primaryApi.repository(id);
        } catch (BitbucketApiException e) {
            return new Answer(null, null, notFoundOr(e, "the primary's " + PrimaryRepoApi.path(id)));
        }
        try {
            requests.incrementAndGet();
            return new Answer(primary, nodeApi.repoSyncStatus(id, primary.projectKey(), primary.slug()), null);
        } catch (BitbucketApiException e) {
            if (e.httpStatus() == 404 && !first.kinds().contains(Kind.MISSING)) {
                // Its listing had it: the node may know it by another name (a rename not synced yet).
                fallback.compareAndSet(
                        null,
                        "the node's repoSyncStatus answered 404 for repository " + id + " ("
                                + primary.projectKey() + "/" + primary.slug() + "), which its listing has: it may "
                                + "know the repository by another name");
            }
            return new Answer(primary, null, notFoundOr(e, "the node's repoSyncStatus"));
        }
    }

    /**
     * Null for a 404 (read later, once it is known what a 404 means here); else the repository's detail, and for
     * an endpoint not offered to farmvet (401, 403, 405) the node's fallback to the listings.
     */
    private String notFoundOr(BitbucketApiException e, String what) {
        int status = e.httpStatus();
        if (status == 404) {
            return null;
        }
        if (status == 401 || status == 403 || status == 405) {
            fallback.compareAndSet(null, what + " answered HTTP " + status + ": " + e.getMessage());
        }
        return "not confirmed: " + e.getMessage();
    }

    /**
     * Why the listings must decide because a side gave no answer farmvet could use at all (a proxy's login page
     * for every path, a server that answers for other repositories), or null. Where some answers are usable, the
     * others only leave their own repositories unconfirmed.
     */
    private static String nothingUsable(Map<Long, Answer> answers) {
        List<Answer> primaryFailed = answers.values().stream()
                .filter(a -> a.primary() == null && a.unconfirmed() != null)
                .toList();
        if (!primaryFailed.isEmpty() && primaryFailed.size() == answers.size()) {
            return "no answer of the primary's repos/{id} could be used: "
                    + primaryFailed.get(0).unconfirmed();
        }
        List<Answer> asked =
                answers.values().stream().filter(a -> a.primary() != null).toList();
        if (!asked.isEmpty() && asked.stream().allMatch(a -> a.unconfirmed() != null)) {
            return "no answer of the node's repoSyncStatus could be used: "
                    + asked.get(0).unconfirmed();
        }
        return null;
    }

    /**
     * Null when every 404 of the look means "no such repository", else why the 404s cannot be read: neither
     * another answer of the same server nor the control shows the endpoint to be there.
     */
    private String provenNotFound(
            Map<Long, Answer> answers, List<Inconsistency> found, PrimaryTable first, LongPredicate inScope) {
        boolean primaryGone = answers.values().stream().anyMatch(Answer::primaryGone);
        boolean nodeLacks = answers.values().stream().anyMatch(Answer::nodeLacks);
        boolean primaryAnswered = answers.values().stream().anyMatch(a -> a.primary() != null);
        boolean nodeAnswered = answers.values().stream().anyMatch(a -> a.node() != null);
        if (!(primaryGone && !primaryAnswered) && !(nodeLacks && !nodeAnswered)) {
            return null;
        }
        long control = control(found, first, inScope);
        if (control < 0) {
            return "every repository asked answered 404, and no repository consistent on both sides is left to "
                    + "tell a missing endpoint from missing repositories";
        }
        PrimaryRepo known;
        try {
            requests.incrementAndGet();
            known = primaryApi.repository(control);
        } catch (BitbucketApiException e) {
            return "the primary's " + PrimaryRepoApi.path(control) + " failed for repository " + control
                    + ", which both listings had alike, so its 404s may mean a missing endpoint (Bitbucket before "
                    + "9.2, or a farmvet agent older than this farmvet: upgrade it): " + e.getMessage();
        }
        if (!nodeLacks || nodeAnswered) {
            return null;
        }
        try {
            requests.incrementAndGet();
            nodeApi.repoSyncStatus(control, known.projectKey(), known.slug());
            return null;
        } catch (BitbucketApiException e) {
            return "the node's repoSyncStatus failed for repository " + control + " (" + known.projectKey() + "/"
                    + known.slug() + "), which both listings had alike, so its 404s may mean a missing endpoint "
                    + "(Bitbucket before 8.19, or a farmvet agent older than this farmvet: upgrade it): "
                    + e.getMessage();
        }
    }

    /** A repository the first look found on the primary and, consistent, on the node; -1 when there is none. */
    private static long control(List<Inconsistency> found, PrimaryTable first, LongPredicate inScope) {
        java.util.Set<Long> drifted = new java.util.HashSet<>();
        for (Inconsistency inconsistency : found) {
            drifted.add(inconsistency.repositoryId());
        }
        // In scope and not among the node's verdicts: listed by the node (else it would be missing), and alike.
        for (int i = 0; i < first.size(); i++) {
            if (inScope.test(first.projectId(i)) && !drifted.contains(first.repositoryId(i))) {
                return first.repositoryId(i);
            }
        }
        return -1;
    }

    private Looked looked(Map<Long, Answer> answers, LongPredicate inScope) {
        Map<Long, String> unconfirmed = new TreeMap<>();
        PrimaryTable latest = new PrimaryTable();
        ListingEntry entry = new ListingEntry();
        Map<Long, Answer> sorted = new TreeMap<>(answers);
        try {
            for (Map.Entry<Long, Answer> answer : sorted.entrySet()) {
                Answer a = answer.getValue();
                if (a.unconfirmed() != null) {
                    unconfirmed.put(answer.getKey(), a.unconfirmed());
                } else if (a.primaryGone()) {
                    // As the listings would have it: the primary's entry moved between the looks.
                    unconfirmed.put(answer.getKey(), Confirmation.InFlightReason.PRIMARY_CHANGED.detail());
                } else {
                    PrimaryRepo p = a.primary();
                    latest.project(p.projectId(), false, p.projectKey());
                    latest.repository(entry.set(p.projectId(), p.id(), p.contentHash(), p.metadataHash())
                            .slug(p.slug()));
                }
            }
            latest.seal();
            NodeComparison again = new NodeComparison(latest);
            for (Answer a : sorted.values()) {
                if (a.node() != null) {
                    // The node was asked under the primary's project key: its project is the primary's.
                    again.repository(entry.set(
                            a.primary().projectId(),
                            a.node().externalRepoId(),
                            a.node().contentHash(),
                            a.node().metadataHash()));
                }
            }
            again.end();
            List<Inconsistency> verdicts = FarmComparison.verdicts(latest, again, inScope);
            return new Looked(
                    latest,
                    verdicts,
                    unconfirmed,
                    new SecondLook(SecondLook.Way.PER_REPOSITORY, null, bytes(), requests.get()));
        } catch (EntryRejectedException e) {
            throw new IllegalStateException("per-repository answers listed a repository twice", e);
        }
    }
}

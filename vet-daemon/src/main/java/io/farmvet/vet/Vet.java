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
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingSummary;
import io.farmvet.util.Units;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vet of a farm: fetch every listing, compare each node with the primary, return the report. This is the one
 * core call; the command line, the schedule, the REST trigger and the tests all run a vet through {@link #run}.
 *
 * <p>All requests go out at once. The primary's listing streams into a {@link PrimaryTable}; each node's answer
 * is checked as it arrives, and its body is streamed against the table once the table is complete. A node that
 * fails in any way becomes a failed line of the report and the others are still vetted; if the primary fails,
 * no verdicts are drawn at all. {@code vet.deadline} bounds the whole vet: whatever is still running then is
 * cancelled and reported as such.
 *
 * <p>A {@code Vet} holds no state between runs; running two at once is the caller's business to prevent.
 */
public final class Vet {
    private static final Logger log = LoggerFactory.getLogger(Vet.class);
    /** Time allowed after a cancel for the fetch threads to wind down before the vet gives up on them. */
    private static final long CANCEL_GRACE_MS = 5_000;

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
        Instant startedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        long start = System.nanoTime();
        List<Server> nodes = config.nodes();
        log.info(
                "vet of farm {} started: primary {} and {} node(s)",
                config.farm().name(),
                config.primary().url(),
                nodes.size());

        ListingRequest primaryRequest =
                fetcher.prepare(config.primary(), "primary", ListingKind.FULL, progress.primary());
        List<ListingRequest> nodeRequests = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodeRequests.add(fetcher.prepare(nodes.get(i), "nodes[" + i + "]", ListingKind.FULL, progress.node(i)));
        }
        List<ListingRequest> all = new ArrayList<>(nodeRequests);
        all.add(primaryRequest);

        ExecutorService pool = Executors.newFixedThreadPool(all.size(), threads("farmvet-fetch"));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(threads("farmvet-deadline"));
        try {
            long deadlineMs = config.vet().deadline().toMillis();
            String deadlineReason =
                    "vet deadline of " + Units.duration(config.vet().deadline()) + " (vet.deadline) reached";
            timer.schedule(() -> cancelAll(all, deadlineReason), deadlineMs, TimeUnit.MILLISECONDS);

            CompletableFuture<PrimaryTable> primaryReady = new CompletableFuture<>();
            Future<VetReport.PrimaryResult> primary = pool.submit(() -> fetchPrimary(primaryRequest, primaryReady));
            List<Future<NodeOutcome>> nodeOutcomes = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                Server node = nodes.get(i);
                ListingRequest request = nodeRequests.get(i);
                nodeOutcomes.add(pool.submit(() -> fetchNode(node, request, primaryReady)));
            }

            long waitMs = deadlineMs + CANCEL_GRACE_MS;
            VetReport.PrimaryResult primaryResult = await(primary, waitMs, all);
            List<NodeOutcome> outcomes = new ArrayList<>();
            for (Future<NodeOutcome> outcome : nodeOutcomes) {
                outcomes.add(await(outcome, waitMs, all));
            }
            List<VetReport.NodeResult> results = verdicts(primaryReady, outcomes);
            VetReport report = new VetReport(
                    config.farm().name(),
                    VetReport.statusOf(primaryResult, results),
                    startedAt,
                    (System.nanoTime() - start) / 1_000_000,
                    primaryResult,
                    results);
            log.info(
                    "vet of farm {} finished in {} ms: {}, {} inconsistencies",
                    report.farm(),
                    report.durationMs(),
                    report.status().wireName(),
                    report.inconsistencyCount());
            return report;
        } finally {
            timer.shutdownNow();
            pool.shutdownNow();
        }
    }

    private VetReport.PrimaryResult fetchPrimary(ListingRequest request, CompletableFuture<PrimaryTable> ready) {
        long start = System.nanoTime();
        String url = config.primary().url().toString();
        try (request) {
            request.send();
            PrimaryTable table = new PrimaryTable();
            ListingSummary summary = request.read(table);
            ready.complete(table);
            log.info("primary: {} repositories ({})", table.size(), Units.bytes(summary.bytes()));
            return new VetReport.PrimaryResult(url, (long) table.size(), summary.bytes(), msSince(start), null);
        } catch (FetchException | RuntimeException e) {
            ready.completeExceptionally(e);
            log.error("primary failed, so no node is judged: {}", e.getMessage());
            return new VetReport.PrimaryResult(url, null, request.bytesRead(), msSince(start), e.getMessage());
        }
    }

    private NodeOutcome fetchNode(Server node, ListingRequest request, CompletableFuture<PrimaryTable> primaryReady) {
        long start = System.nanoTime();
        try (request) {
            request.send();
            PrimaryTable table;
            try {
                table = primaryReady.get();
            } catch (ExecutionException e) {
                request.cancel("not compared: the primary's listing could not be read");
                return NodeOutcome.failed(
                        node,
                        node.name() + ": not compared: the primary's listing could not be " + "read",
                        request.bytesRead(),
                        msSince(start));
            }
            NodeComparison comparison = new NodeComparison(table);
            ListingSummary summary = request.read(comparison);
            return new NodeOutcome(node, comparison, summary.bytes(), msSince(start), null);
        } catch (FetchException | RuntimeException e) {
            log.warn("{}", e.getMessage());
            return NodeOutcome.failed(node, e.getMessage(), request.bytesRead(), msSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NodeOutcome.failed(node, node.name() + ": vet cancelled", request.bytesRead(), msSince(start));
        }
    }

    private List<VetReport.NodeResult> verdicts(
            CompletableFuture<PrimaryTable> primaryReady, List<NodeOutcome> outcomes) {
        PrimaryTable table = primaryReady.isCompletedExceptionally() ? null : primaryReady.getNow(null);
        List<NodeComparison> vetted = outcomes.stream()
                .filter(o -> o.comparison() != null)
                .map(NodeOutcome::comparison)
                .toList();
        LongPredicate inScope =
                table == null ? null : FarmComparison.scope(config.farm().scope(), vetted);
        List<VetReport.NodeResult> results = new ArrayList<>();
        for (NodeOutcome o : outcomes) {
            String url = o.node().url().toString();
            if (o.comparison() == null) {
                results.add(new VetReport.NodeResult(
                        o.node().name(),
                        url,
                        VetReport.NodeStatus.FAILED,
                        o.error(),
                        null,
                        o.bytes(),
                        o.durationMs(),
                        List.of()));
                continue;
            }
            List<Inconsistency> found = FarmComparison.verdicts(table, o.comparison(), inScope);
            log.info(
                    "{}: {} repositories, {} inconsistencies",
                    o.node().name(),
                    o.comparison().repositories(),
                    found.size());
            results.add(new VetReport.NodeResult(
                    o.node().name(),
                    url,
                    VetReport.NodeStatus.VETTED,
                    null,
                    o.comparison().repositories(),
                    o.bytes(),
                    o.durationMs(),
                    found));
        }
        return results;
    }

    private static <T> T await(Future<T> future, long waitMs, List<ListingRequest> all) {
        try {
            return future.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll(all, "vet cancelled");
            return awaitAfterCancel(future);
        } catch (TimeoutException e) {
            cancelAll(all, "vet deadline passed and the fetch did not stop");
            return awaitAfterCancel(future);
        } catch (ExecutionException e) {
            // fetchPrimary and fetchNode catch everything they expect; anything else is a bug worth a stack trace.
            throw new IllegalStateException("fetch task failed unexpectedly", e.getCause());
        }
    }

    private static <T> T awaitAfterCancel(Future<T> future) {
        try {
            return future.get(CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("vet interrupted while its fetches were being cancelled", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "a fetch did not stop within " + CANCEL_GRACE_MS + " ms of being cancelled", e);
        }
    }

    private static void cancelAll(List<ListingRequest> requests, String reason) {
        for (ListingRequest request : requests) {
            request.cancel(reason);
        }
    }

    private static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static java.util.concurrent.ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private record NodeOutcome(Server node, NodeComparison comparison, long bytes, long durationMs, String error) {
        static NodeOutcome failed(Server node, String error, long bytes, long durationMs) {
            return new NodeOutcome(node, null, bytes, durationMs, error);
        }
    }
}

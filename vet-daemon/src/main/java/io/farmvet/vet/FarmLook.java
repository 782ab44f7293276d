package io.farmvet.vet;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.ClockSkew;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.GitRepositories;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.ListingSource;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingSummary;
import io.farmvet.util.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One look at the farm within a vet: the primary's listing and some nodes' listings, fetched and read at once. The
 * primary streams into a {@link PrimaryTable}; each node's body streams into a {@link NodeReadAhead}, which may hold
 * what arrives before the table is complete and judges it all against the table once it is. Every request is
 * tracked by the vet's {@link Deadline}. Used for the vet's first look and for the second look that confirms drift
 * before it is repaired.
 */
final class FarmLook {
    private static final Logger log = LoggerFactory.getLogger(FarmLook.class);

    private final FarmvetConfig config;
    private final ListingFetcher fetcher;
    private final ExecutorService pool;
    private final Deadline deadline;
    private final GitRepositories repositories;

    /** @param repositories the vet's ls-remote repositories, the same for each look */
    FarmLook(
            FarmvetConfig config,
            ListingFetcher fetcher,
            ExecutorService pool,
            Deadline deadline,
            GitRepositories repositories) {
        this.config = config;
        this.repositories = repositories;
        this.fetcher = fetcher;
        this.pool = pool;
        this.deadline = deadline;
    }

    /**
     * One look: the primary and the given nodes, fetched at once.
     *
     * @param table null when the primary failed
     */
    record Look(VetReport.PrimaryResult primary, PrimaryTable table, List<NodeOutcome> nodes) {
        /** The outcome for the node at {@code index} of the config's {@code nodes}; it must be one of the look's. */
        NodeOutcome node(int index) {
            return nodes.stream().filter(n -> n.index() == index).findFirst().orElseThrow();
        }
    }

    Look look(List<Integer> nodeIndexes, VetProgress progress) {
        ListingSource primaryRequest = deadline.track(fetcher.prepare(
                config.primary(), "primary", ListingKind.FULL, config.git(), repositories, progress.primary()));
        CompletableFuture<PrimaryTable> primaryReady = new CompletableFuture<>();
        NodeReadAhead.ReadAhead readAhead =
                NodeReadAhead.ReadAhead.forThisMachine(config.listing().readAheadBytes());
        Future<VetReport.PrimaryResult> primary = pool.submit(() -> fetchPrimary(primaryRequest, primaryReady));
        List<Future<NodeOutcome>> outcomes = new ArrayList<>();
        for (int index : nodeIndexes) {
            Server node = config.nodes().get(index);
            ListingSource request = deadline.track(fetcher.prepare(
                    node, "nodes[" + index + "]", ListingKind.FULL, config.git(), repositories, progress.node(index)));
            outcomes.add(pool.submit(() -> fetchNode(index, node, request, primaryReady, readAhead)));
        }
        VetReport.PrimaryResult primaryResult = deadline.await(primary);
        List<NodeOutcome> nodes = new ArrayList<>();
        for (Future<NodeOutcome> outcome : outcomes) {
            nodes.add(deadline.await(outcome));
        }
        PrimaryTable table = primaryReady.isCompletedExceptionally() ? null : primaryReady.getNow(null);
        return new Look(primaryResult, table, nodes);
    }

    private VetReport.PrimaryResult fetchPrimary(ListingSource request, CompletableFuture<PrimaryTable> ready) {
        long start = System.nanoTime();
        String url = config.primary().shownUrl();
        try (request) {
            request.send();
            PrimaryTable table = new PrimaryTable();
            // The read seals the table at the end of the listing: indexed once, then only read by the node threads.
            ListingSummary summary = request.read(table);
            ready.complete(table);
            log.info(
                    "primary: {} ({})",
                    Units.count(table.size(), "repository", "repositories"),
                    Units.bytes(summary.bytes()));
            VetReport.PrimaryResult result = new VetReport.PrimaryResult(
                    url, (long) table.size(), summary.bytes(), msSince(start), null, skewOf("primary", request));
            for (String note : request.notes()) {
                result = result.withNote(note);
            }
            return result;
        } catch (FetchException | RuntimeException e) {
            ready.completeExceptionally(e);
            log.error("primary failed, so no node is judged: {}", e.getMessage());
            return new VetReport.PrimaryResult(
                    url, null, request.bytesRead(), msSince(start), e.getMessage(), skewOf("primary", request));
        }
    }

    private NodeOutcome fetchNode(
            int index,
            Server node,
            ListingSource request,
            CompletableFuture<PrimaryTable> primaryReady,
            NodeReadAhead.ReadAhead readAhead) {
        long start = System.nanoTime();
        NodeReadAhead reading = new NodeReadAhead(primaryReady, readAhead);
        try (request) {
            request.send();
            ListingSummary summary = request.read(reading);
            return new NodeOutcome(
                    index,
                    node,
                    reading.comparison(),
                    summary.bytes(),
                    msSince(start),
                    null,
                    skewOf(node.name(), request),
                    request.notes());
        } catch (NodeReadAhead.PrimaryUnavailable unavailable) {
            // Raised from the handler straight through a listing built in-process (git, manifest).
            return notCompared(index, node, request, unavailable, start);
        } catch (FetchException e) {
            if (e.getCause() instanceof NodeReadAhead.PrimaryUnavailable unavailable) {
                return notCompared(index, node, request, unavailable, start);
            }
            log.warn("{}", e.getMessage());
            return NodeOutcome.failed(index, node, e.getMessage(), request.bytesRead(), msSince(start))
                    .withClockSkew(skewOf(node.name(), request));
        } catch (RuntimeException e) {
            log.warn("{}", e.getMessage());
            return NodeOutcome.failed(index, node, e.getMessage(), request.bytesRead(), msSince(start))
                    .withClockSkew(skewOf(node.name(), request));
        } finally {
            reading.release();
        }
    }

    private NodeOutcome notCompared(
            int index, Server node, ListingSource request, NodeReadAhead.PrimaryUnavailable unavailable, long start) {
        String why =
                unavailable.interrupted() ? "vet cancelled" : "not compared: the primary's listing could not be read";
        return NodeOutcome.failed(index, node, node.name() + ": " + why, request.bytesRead(), msSince(start))
                .withClockSkew(skewOf(node.name(), request));
    }

    /** The server's clock skew as its answer showed it, warned about when Bitbucket's JWTs are at risk. */
    private static Long skewOf(String server, ListingSource request) {
        Long skewMs = request.clockSkewMs();
        if (ClockSkew.notable(skewMs)) {
            log.warn(
                    "{}: its clock is {} s {} farmvet's (from its Date header, 1 s resolution); Bitbucket's primary"
                            + " and mirrors refuse each other's JWTs beyond 30 s of skew and then stop syncing:"
                            + " check NTP on both machines",
                    server,
                    Math.abs(skewMs) / 1000,
                    skewMs > 0 ? "ahead of" : "behind");
        }
        return skewMs;
    }

    private static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** @param clockSkewMs the node's clock minus farmvet's ({@link ClockSkew}), null when unknown */
    record NodeOutcome(
            int index,
            Server node,
            NodeComparison comparison,
            long bytes,
            long durationMs,
            String error,
            Long clockSkewMs,
            List<String> notes) {
        static NodeOutcome failed(int index, Server node, String error, long bytes, long durationMs) {
            return new NodeOutcome(index, node, null, bytes, durationMs, error, null, List.of());
        }

        NodeOutcome withClockSkew(Long clockSkewMs) {
            return new NodeOutcome(index, node, comparison, bytes, durationMs, error, clockSkewMs, notes);
        }

        VetReport.NodeResult failedResult() {
            return new VetReport.NodeResult(
                    node.name(),
                    node.shownUrl(),
                    VetReport.NodeStatus.FAILED,
                    error,
                    null,
                    bytes,
                    durationMs,
                    List.of());
        }

        VetReport.NodeResult vettedResult(List<Inconsistency> found) {
            // Repairs, /status, clock and second look come later (NodeResult.withFindings); the notes are the
            // listing's.
            return new VetReport.NodeResult(
                    node.name(),
                    node.shownUrl(),
                    VetReport.NodeStatus.VETTED,
                    null,
                    comparison.repositories(),
                    bytes,
                    durationMs,
                    found,
                    List.of(),
                    null,
                    null,
                    null,
                    notes);
        }
    }
}

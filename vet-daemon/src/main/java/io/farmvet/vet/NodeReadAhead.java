package io.farmvet.vet;

import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.listing.EntryBacklog;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The handler of a node's read: compares the node's listing with the primary's table, and reads ahead while that
 * table is still being filled. A node can only be judged against the whole primary, so without this every node
 * waits for the primary's read before reading anything, and the cores the primary's one thread leaves idle stay
 * idle for all of it.
 *
 * <p>Reading ahead takes one of the {@link ReadAhead#slots}, one per core beyond the primary's, so that the
 * primary's read is never slowed by nodes competing for its core (with five threads on two cores it took twice
 * as long, and the vet longer than without reading ahead); a node that gets no slot waits for the table as
 * before. Entries read early are held in an {@link EntryBacklog} within {@link ReadAhead#budgetKib}, shared by the
 * nodes of the look, so memory does not grow with their number; once it is spent the read waits for the table.
 * When the table is ready the backlog is judged first, then the rest as it streams.
 *
 * <p>A repository listed twice among the entries read early is found when the backlog is judged: the error then
 * stands where the read was at that moment, and names that repository. If the primary's read fails, the node's
 * read stops with {@link PrimaryUnavailable}. Not thread-safe: one per node and look.
 */
final class NodeReadAhead implements ListingHandler {
    /** What the nodes of one look share: slots to read ahead in, and memory to hold what they read. */
    record ReadAhead(Semaphore slots, Semaphore budgetKib) {
        /**
         * A slot per core beyond the primary's, and {@code maxBytes} ({@code listing.read-ahead}) but at most a
         * quarter of the heap, so that a heap sized for the primary's table alone still holds.
         */
        static ReadAhead forThisMachine(long maxBytes) {
            int spareCores = Runtime.getRuntime().availableProcessors() - 1;
            long kib = Math.min(Runtime.getRuntime().maxMemory() / 4, maxBytes) / 1024;
            return new ReadAhead(
                    new Semaphore(Math.max(0, spareCores)), new Semaphore((int) Math.min(kib, Integer.MAX_VALUE)));
        }
    }

    private final CompletableFuture<PrimaryTable> primary;
    private final ReadAhead readAhead;
    private final EntryBacklog backlog;
    /** Unknown until the first entry, then whether this read holds one of the slots. */
    private Boolean slot;
    /** Entries (repositories and projects) given to this read before the table was ready. */
    private long entriesBeforeTable;
    /** Completes with {@link #entriesBeforeTable} when the read first waits for the table. */
    private final CompletableFuture<Long> waitingForTable = new CompletableFuture<>();

    private NodeComparison comparison;

    /** @param primary completes with the sealed table once the primary's listing is read, or exceptionally */
    NodeReadAhead(CompletableFuture<PrimaryTable> primary, ReadAhead readAhead) {
        this.primary = primary;
        this.readAhead = readAhead;
        this.backlog = new EntryBacklog(readAhead.budgetKib());
    }

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        if (comparison == null && !(readAhead() && backlog.add(entry))) {
            start();
        }
        if (comparison != null) {
            comparison.repository(entry);
        }
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {
        if (comparison == null && !(readAhead() && backlog.addProject(projectId, isPublic, key))) {
            start();
        }
        if (comparison != null) {
            comparison.project(projectId, isPublic, key);
        }
    }

    @Override
    public void end() throws EntryRejectedException {
        if (comparison == null) {
            start();
        }
        comparison.end();
    }

    /** The node's comparison; complete once the read has returned. */
    NodeComparison comparison() {
        return comparison;
    }

    /** Gives back the slot and what the backlog holds, if the read stopped before the table was ready. */
    void release() {
        backlog.release();
        if (Boolean.TRUE.equals(slot)) {
            readAhead.slots().release();
        }
        slot = false;
    }

    /**
     * Completes when the read turns to the primary's table, waiting for it if it is not ready yet, with the number
     * of entries given to the read by then, the one that made it turn included: 1 for a read that held nothing.
     * Tests wait on it to see where the read stopped; the read never does.
     */
    CompletableFuture<Long> waitingForTable() {
        return waitingForTable;
    }

    /** Counts an entry given before the table; true while the table is not ready and this read holds a slot. */
    private boolean readAhead() {
        entriesBeforeTable++;
        return readingAhead();
    }

    /** True while the table is not ready and this read holds a slot (taken at the first chance). */
    private boolean readingAhead() {
        if (primary.isDone()) {
            return false;
        }
        if (slot == null) {
            slot = readAhead.slots().tryAcquire();
        }
        return slot;
    }

    /** Waits for the primary's table, then judges what was read ahead. */
    private void start() throws EntryRejectedException {
        PrimaryTable table;
        waitingForTable.complete(entriesBeforeTable);
        try {
            table = primary.get();
        } catch (ExecutionException e) {
            release();
            throw new PrimaryUnavailable(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release();
            throw new PrimaryUnavailable(true);
        }
        comparison = new NodeComparison(table);
        try {
            backlog.replay(comparison);
        } finally {
            release();
        }
    }

    /** The node's read stopped because there is no primary table to judge it against. */
    static final class PrimaryUnavailable extends RuntimeException {
        private final boolean interrupted;

        PrimaryUnavailable(boolean interrupted) {
            super(
                    interrupted
                            ? "vet cancelled while waiting for the primary's listing"
                            : "not compared: the primary's listing could not be read",
                    null,
                    false,
                    false);
            this.interrupted = interrupted;
        }

        boolean interrupted() {
            return interrupted;
        }
    }
}

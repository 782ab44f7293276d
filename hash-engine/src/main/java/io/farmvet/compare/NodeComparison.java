package io.farmvet.compare;

import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.HashValue;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams one node's listing against the {@link PrimaryTable}: the {@link ListingHandler} for that node's read.
 * It finds {@code content}, {@code metadata} and {@code extra} as entries arrive and remembers which primary
 * repositories and projects the node listed; {@code missing} needs the farm's scope, which may depend on every
 * node, so {@link FarmComparison} draws it afterwards.
 *
 * <p>Where the primary's ids are dense, entries are judged {@value #BATCH} at a time: looking up one entry between
 * two parses is a wait on memory each time (the table is far larger than the caches), while a batch of independent
 * lookups lets the processor wait on many at once. That was 40% of a node's read at 1M repositories, and is now
 * close to nothing (issue 7). An id listed twice is still refused at its own entry, by its offset in the primary's
 * span of ids, which needs no lookup. With sparse ids each entry is judged as it comes.
 *
 * <p>Memory: two bits per repository of the primary's span (listed, and sighted), a batch of {@value #BATCH}
 * entries, plus what the node lists that the primary does not. One instance per node and read; not thread-safe.
 * The verdicts are complete once the reader has called {@link #end()}.
 */
public final class NodeComparison implements ListingHandler {
    /** Entries judged together: enough lookups in flight to hide the memory's latency, a few KB of copies. */
    static final int BATCH = 256;

    private final PrimaryTable primary;
    /** By primary index: listed by the node. */
    private final long[] seen;
    /** By offset in the primary's dense span of ids: seen in the listing, judged or not. */
    private final long[] sighted;

    private final LongIndex extraIds = new LongIndex(16);
    private final LongIndex listedProjects = new LongIndex(64);
    private final List<Inconsistency> found = new ArrayList<>();
    private long repositories;

    private final long[] batchIds = new long[BATCH];
    private final long[] batchProjects = new long[BATCH];
    private final HashValue[] batchContent = new HashValue[BATCH];
    private final HashValue[] batchMetadata = new HashValue[BATCH];
    private final int[] batchRows = new int[BATCH];
    private final int[] batchIndexes = new int[BATCH];
    private int batched;

    public NodeComparison(PrimaryTable primary) {
        this.primary = primary;
        this.seen = new long[(primary.size() + 63) >>> 6];
        this.sighted = new long[(primary.denseSpan() + 63) >>> 6];
        for (int i = 0; i < BATCH; i++) {
            batchContent[i] = new HashValue();
            batchMetadata[i] = new HashValue();
        }
    }

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        repositories++;
        long id = entry.repositoryId();
        int offset = primary.denseOffset(id);
        if (offset < 0) {
            // Sparse ids, or an id outside the primary's span (so an extra one): judged now.
            int row = primary.rowOf(id);
            if (row < 0 ? extraIds.putIfAbsent(id, 0) >= 0 : listed(primary.indexAtRow(row))) {
                throw listedTwice(id);
            }
            judge(row, id, entry.projectId(), entry.content(), entry.metadata());
            return;
        }
        long bit = 1L << offset;
        if ((sighted[offset >>> 6] & bit) != 0) {
            throw listedTwice(id);
        }
        sighted[offset >>> 6] |= bit;
        int i = batched++;
        batchIds[i] = id;
        batchProjects[i] = entry.projectId();
        batchContent[i].set(entry.content());
        batchMetadata[i].set(entry.metadata());
        if (batched == BATCH) {
            judgeBatch();
        }
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) {
        listedProjects.putIfAbsent(projectId, 0);
    }

    /** The listing has ended: judges the entries still batched. */
    @Override
    public void end() {
        judgeBatch();
    }

    /** Repositories the node listed so far. */
    public long repositories() {
        return repositories;
    }

    LongIndex listedProjects() {
        return listedProjects;
    }

    boolean listed(int primaryIndex) {
        requireJudged();
        return (seen[primaryIndex >>> 6] & (1L << primaryIndex)) != 0;
    }

    List<Inconsistency> found() {
        requireJudged();
        return found;
    }

    private void judgeBatch() {
        int n = batched;
        // All the lookups first, then all the judging: each loop's memory accesses are independent of each other.
        for (int i = 0; i < n; i++) {
            batchRows[i] = primary.rowOf(batchIds[i]);
        }
        for (int i = 0; i < n; i++) {
            int row = batchRows[i];
            batchIndexes[i] = row < 0 ? -1 : primary.indexAtRow(row);
        }
        for (int i = 0; i < n; i++) {
            judge(batchRows[i], batchIds[i], batchProjects[i], batchContent[i], batchMetadata[i]);
        }
        batched = 0;
    }

    /** Records one entry not listed before; {@code row} is the primary's, or negative for an extra repository. */
    private void judge(int row, long id, long projectId, HashValue content, HashValue metadata) {
        if (row < 0) {
            found.add(Inconsistency.of(id, projectId, Kind.EXTRA.bit));
            return;
        }
        int index = primary.indexAtRow(row);
        seen[index >>> 6] |= 1L << index;
        int differences = primary.differencesAtRow(row, projectId, content, metadata);
        if (differences != 0) {
            found.add(Inconsistency.of(id, primary.projectIdAtRow(row), differences));
        }
    }

    private void requireJudged() {
        if (batched != 0) {
            throw new IllegalStateException("the node's listing has not ended: " + batched + " entries not judged");
        }
    }

    private static EntryRejectedException listedTwice(long id) {
        return new EntryRejectedException("repository " + id + " is listed twice", id);
    }
}

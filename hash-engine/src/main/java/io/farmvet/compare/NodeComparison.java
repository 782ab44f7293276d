package io.farmvet.compare;

import io.farmvet.listing.EntryRejectedException;
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
 * <p>Memory: one bit per primary repository, plus what the node lists that the primary does not. One instance
 * per node and read; not thread-safe.
 */
public final class NodeComparison implements ListingHandler {
    private final PrimaryTable primary;
    private final long[] seen;
    private final LongIndex extraIds = new LongIndex(16);
    private final LongIndex listedProjects = new LongIndex(64);
    private final List<Inconsistency> found = new ArrayList<>();
    private long repositories;

    public NodeComparison(PrimaryTable primary) {
        this.primary = primary;
        this.seen = new long[(primary.size() + 63) >>> 6];
    }

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        long id = entry.repositoryId();
        repositories++;
        int row = primary.rowOf(id);
        if (row < 0) {
            if (extraIds.putIfAbsent(id, 0) >= 0) {
                throw new EntryRejectedException("repository " + id + " is listed twice");
            }
            found.add(Inconsistency.of(id, entry.projectId(), Kind.EXTRA.bit));
            return;
        }
        int index = primary.indexAtRow(row);
        long bit = 1L << index;
        if ((seen[index >>> 6] & bit) != 0) {
            throw new EntryRejectedException("repository " + id + " is listed twice");
        }
        seen[index >>> 6] |= bit;
        int differences = primary.differencesAtRow(row, entry);
        if (differences != 0) {
            found.add(Inconsistency.of(id, primary.projectIdAtRow(row), differences));
        }
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) {
        listedProjects.putIfAbsent(projectId, 0);
    }

    /** Repositories the node listed so far. */
    public long repositories() {
        return repositories;
    }

    LongIndex listedProjects() {
        return listedProjects;
    }

    boolean listed(int primaryIndex) {
        return (seen[primaryIndex >>> 6] & (1L << primaryIndex)) != 0;
    }

    List<Inconsistency> found() {
        return found;
    }
}

package io.farmvet.compare;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One repository on one node that differs from the primary, with every way in which it differs.
 *
 * @param projectId the primary's project for the repository, or the node's for an {@link Kind#EXTRA} one
 */
public record Inconsistency(long repositoryId, long projectId, Set<Kind> kinds) {
    public Inconsistency {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("an inconsistency has at least one kind");
        }
        kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    static Inconsistency of(long repositoryId, long projectId, int kindBits) {
        EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (Kind kind : Kind.values()) {
            if ((kindBits & kind.bit) != 0) {
                kinds.add(kind);
            }
        }
        return new Inconsistency(repositoryId, projectId, kinds);
    }
}

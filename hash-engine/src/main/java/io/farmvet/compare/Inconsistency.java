package io.farmvet.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One repository on one node that differs from the primary, with every way in which it differs.
 *
 * @param projectId the primary's project for the repository, or the node's for an {@link Kind#EXTRA} one
 */
public record Inconsistency(long repositoryId, long projectId, Set<Kind> kinds) {
    /**
     * The unmodifiable set of every combination of kinds, by {@link Kind#bit}s: an inconsistency shares one of
     * these instead of copying its own (a vet of a large drifted farm makes tens of thousands).
     */
    private static final List<Set<Kind>> SETS = allSets();

    public Inconsistency {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("an inconsistency has at least one kind");
        }
        int bits = 0;
        for (Kind kind : kinds) {
            bits |= kind.bit;
        }
        kinds = SETS.get(bits);
    }

    static Inconsistency of(long repositoryId, long projectId, int kindBits) {
        return new Inconsistency(repositoryId, projectId, SETS.get(kindBits));
    }

    private static List<Set<Kind>> allSets() {
        int combinations = 1 << Kind.values().length;
        List<Set<Kind>> sets = new ArrayList<>(combinations);
        for (int bits = 0; bits < combinations; bits++) {
            EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
            for (Kind kind : Kind.values()) {
                if ((bits & kind.bit) != 0) {
                    kinds.add(kind);
                }
            }
            sets.add(Collections.unmodifiableSet(kinds));
        }
        return List.copyOf(sets);
    }
}

package io.farmvet.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Draws the verdicts of a vet once every node's listing has been streamed: resolves the farm's {@link Scope}
 * and adds {@code missing} to what each {@link NodeComparison} found. Only nodes whose listing arrived whole may
 * be passed in; a partial listing would make everything after the break look missing.
 */
public final class FarmComparison {
    private FarmComparison() {}

    /**
     * The predicate "this primary project is in the farm's scope". For {@link Scope#INFERRED} it is the union of
     * the projects the given (vetted) nodes list.
     */
    public static LongPredicate scope(Scope scope, List<NodeComparison> vettedNodes) {
        if (scope instanceof Scope.Explicit explicit) {
            return explicit::contains;
        }
        if (scope instanceof Scope.Inferred) {
            LongIndex union = new LongIndex(64);
            for (NodeComparison node : vettedNodes) {
                node.listedProjects().forEachKey(projectId -> union.putIfAbsent(projectId, 0));
            }
            return projectId -> union.get(projectId) >= 0;
        }
        return projectId -> true;
    }

    /** Every inconsistency of one node, sorted by repository id, {@code missing} ones included. */
    public static List<Inconsistency> verdicts(PrimaryTable primary, NodeComparison node, LongPredicate inScope) {
        List<Inconsistency> all = new ArrayList<>(node.found());
        for (int i = 0; i < primary.size(); i++) {
            if (!node.listed(i) && inScope.test(primary.projectId(i))) {
                all.add(Inconsistency.of(primary.repositoryId(i), primary.projectId(i), Kind.MISSING.bit));
            }
        }
        all.sort(Comparator.comparingLong(Inconsistency::repositoryId));
        return all;
    }
}

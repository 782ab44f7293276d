package io.farmvet.repair.plan;

import io.farmvet.compare.PrimaryTable;
import java.util.function.LongPredicate;

/**
 * Refuses to repair a node whose confirmed drift is too large to be ordinary drift: a half-synced or wrongly
 * configured node must not trigger thousands of requests (grokmirror refuses to purge more than 5% in one go).
 *
 * <p>A node may get at most {@code min(maxPerRun, max(1, floor(maxFraction × inScope)))} repairs in a vet; above
 * that it gets none. The floor of one keeps a small farm repairable: with 19 repositories, 5% is less than one,
 * and one request cannot run away. Immutable; thread-safe.
 */
public record SafetyValve(double maxFraction, int maxPerRun) {
    /** The smallest limit, whatever the farm's size. */
    public static final int MIN_LIMIT = 1;

    /** Guards the floor against {@code 0.05 × 100 = 5.000000000000001}-style rounding. */
    private static final double EPSILON = 1e-9;

    public SafetyValve {
        if (!(maxFraction > 0 && maxFraction <= 1)) {
            throw new IllegalArgumentException("repair.max-fraction: must be > 0 and <= 1, was " + maxFraction);
        }
        if (maxPerRun < 1) {
            throw new IllegalArgumentException("repair.max-per-run: must be 1 or greater, was " + maxPerRun);
        }
    }

    /** The most repairs a node may get in one vet when the primary has {@code inScope} repositories in scope. */
    public int limit(int inScope) {
        long byFraction = (long) Math.floor(maxFraction * inScope + EPSILON);
        return (int) Math.min(maxPerRun, Math.max(MIN_LIMIT, byFraction));
    }

    /** True when {@code confirmed} repairs on one node stay within the limit. */
    public boolean allows(int confirmed, int inScope) {
        return confirmed <= limit(inScope);
    }

    /** The report's detail for a refused node: {@code mass divergence (N of M)}. */
    public static String refusal(int confirmed, int inScope) {
        return "mass divergence (" + confirmed + " of " + inScope + ")";
    }

    /** The number of the primary's repositories whose project is in the farm's scope: the M of the valve. */
    public static int inScopeRepositories(PrimaryTable primary, LongPredicate inScope) {
        int count = 0;
        for (int i = 0; i < primary.size(); i++) {
            if (inScope.test(primary.projectId(i))) {
                count++;
            }
        }
        return count;
    }
}

package io.farmvet.git;

/**
 * Totals of one {@link FleetHasher#hashAll} walk.
 *
 * @param hashed repositories delivered as {@link RepositoryOutcome.Hashed}
 * @param failed outcomes delivered as {@link RepositoryOutcome.Failed}
 * @param elapsedMs wall time of the walk
 */
public record FleetSummary(int hashed, int failed, long elapsedMs) {}

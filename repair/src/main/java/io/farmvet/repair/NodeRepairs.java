package io.farmvet.repair;

import java.util.List;

/**
 * What one vet did about one node: the entries for the report's {@code "repairs"} of the node, sorted by
 * repository id. Immutable.
 *
 * @param refused true when the safety valve refused the node
 */
public record NodeRepairs(String node, List<RepairEntry> entries, boolean refused) {
    public NodeRepairs {
        entries = List.copyOf(entries);
    }

    /** How many entries have this outcome, for the report's counts and the metrics. */
    public long count(RepairEntry.Outcome outcome) {
        return entries.stream().filter(e -> e.outcome() == outcome).count();
    }
}

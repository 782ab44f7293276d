package io.farmvet.repair;

import io.farmvet.repair.ledger.Verification;
import java.util.List;

/**
 * The earlier repairs of one node that a vet settled: report entries ({@code repaired}, {@code still-divergent})
 * and the ledger's view with cycle times, for metrics. Immutable.
 *
 * @param stillPending repairs of the node still waiting for verification after this vet
 */
public record NodeVerification(String node, List<RepairEntry> entries, List<Verification> settled, int stillPending) {
    public NodeVerification {
        entries = List.copyOf(entries);
        settled = List.copyOf(settled);
    }
}

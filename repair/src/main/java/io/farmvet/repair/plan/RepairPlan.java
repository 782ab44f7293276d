package io.farmvet.repair.plan;

import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.send.RepairRequest;
import java.util.List;

/**
 * What one vet will do about one node, decided before anything is sent: the entries that are already final
 * (skipped, refused, dry-run, or failed because no valid request could be built) and the requests to send.
 * Immutable.
 *
 * @param decided report entries that need no request
 * @param toSend requests to send, one per target
 * @param confirmed the node's confirmed drift: the N of the safety valve
 * @param inScope the primary's in-scope repositories: the M of the safety valve
 * @param refused true when the safety valve refused the node, so {@code toSend} is empty
 */
public record RepairPlan(
        RepairNode node, List<RepairEntry> decided, List<Send> toSend, int confirmed, int inScope, boolean refused) {

    /** One request to send and the target it is for. */
    public record Send(RepairTarget target, RepairRequest request) {}

    public RepairPlan {
        decided = List.copyOf(decided);
        toSend = List.copyOf(toSend);
    }
}

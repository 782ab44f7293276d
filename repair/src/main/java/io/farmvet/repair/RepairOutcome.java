package io.farmvet.repair;

/** What happened to one planned repair in this vet: the {@code outcome} of a report's {@code repairs} entry. */
public enum RepairOutcome implements RepairEntry.Outcome {
    /** The node (or the operator's automation) accepted the request; it is now pending verification. */
    SENT("sent"),
    /** Dry run: the request was planned and described, not sent. */
    DRY_RUN("dry-run"),
    /** The request was refused by the node or could not be delivered, after the bounded retries. */
    FAILED("failed"),
    /** Not requested, for the reason in the detail (pending, in flight, healed, report-only mode). */
    SKIPPED("skipped"),
    /** The node's drift tripped the safety valve: nothing was sent to it. */
    REFUSED("refused");

    private final String wireName;

    RepairOutcome(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}

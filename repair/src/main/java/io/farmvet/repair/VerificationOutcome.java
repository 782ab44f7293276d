package io.farmvet.repair;

/** How a sent repair ended, as found by a later vet (or at once, for a request that failed). */
public enum VerificationOutcome implements RepairEntry.Outcome {
    /** The repository is no longer inconsistent on the node. */
    REPAIRED("repaired"),
    /** Still inconsistent after the verification window (enough vets and enough time). */
    STILL_DIVERGENT("still-divergent"),
    /** The request was never accepted, so there is nothing to wait for. */
    FAILED("failed");

    private final String wireName;

    VerificationOutcome(String wireName) {
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

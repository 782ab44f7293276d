package io.farmvet.repair.ledger;

import java.util.Locale;

/** Where a ledger row stands. Only {@link #PENDING} changes later; the others are final. */
public enum RepairState {
    /** Requested (or being requested) and not yet verified: the repository is not requested again. */
    PENDING,
    /** A later vet found the repository consistent on the node. */
    REPAIRED,
    /** Still inconsistent after the verification window. */
    STILL_DIVERGENT,
    /** The request was never accepted. */
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static RepairState fromWireName(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    @Override
    public String toString() {
        return wireName();
    }
}

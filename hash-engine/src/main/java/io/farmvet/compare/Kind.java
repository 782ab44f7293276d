package io.farmvet.compare;

import java.util.Locale;

/** How one repository on one node differs from the primary. */
public enum Kind {
    /** Both content hashes are real (not the all-zero placeholder) and differ. */
    CONTENT,
    /** The metadata hashes differ, or the node files the repository under another project. */
    METADATA,
    /** The primary has it, its project is in the farm's scope, and the node does not list it. */
    MISSING,
    /** The node lists a repository the primary does not have. */
    EXTRA;

    final int bit = 1 << ordinal();

    /** The name used in reports and config: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return wireName();
    }
}

package io.farmvet.compare;

import java.util.Arrays;

/**
 * Which of the primary's projects a farm is meant to mirror, and so which absent repositories count as
 * {@code missing}. A node lists only what it mirrors, so without a scope every unmirrored project would look
 * missing.
 */
public sealed interface Scope {
    /** Every project of the primary. */
    Scope ALL = new All();
    /** The union of the projects that any vetted node lists (all nodes of a farm mirror the same set). */
    Scope INFERRED = new Inferred();

    static Scope of(long... projectIds) {
        return new Explicit(projectIds);
    }

    record All() implements Scope {
        @Override
        public String toString() {
            return "all";
        }
    }

    record Inferred() implements Scope {
        @Override
        public String toString() {
            return "inferred";
        }
    }

    /** An explicit list of primary project ids. */
    record Explicit(long[] projectIds) implements Scope {
        public Explicit {
            projectIds = Arrays.stream(projectIds).distinct().sorted().toArray();
        }

        public boolean contains(long projectId) {
            return Arrays.binarySearch(projectIds, projectId) >= 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Explicit e && Arrays.equals(projectIds, e.projectIds);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(projectIds);
        }

        @Override
        public String toString() {
            return Arrays.toString(projectIds);
        }
    }
}

package io.farmvet.repair;

import io.farmvet.compare.Kind;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One resync to request: one repository on one node, with every way in which it differs from the primary.
 *
 * @param projectKey the project's key where the primary's listing names it (farmvet's agent does), else null
 * @param slug the repository's slug where the primary's listing names it, else null: a node that lacks the
 *     repository needs the names to clone it
 */
public record RepairTarget(
        RepairNode node, long repositoryId, long projectId, Set<Kind> kinds, String projectKey, String slug) {
    public RepairTarget {
        Objects.requireNonNull(node, "node");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a repair target has at least one kind");
        }
        kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    /** A target without names, as for Bitbucket, whose listings carry none. */
    public RepairTarget(RepairNode node, long repositoryId, long projectId, Set<Kind> kinds) {
        this(node, repositoryId, projectId, kinds, null, null);
    }

    /** The kinds as wire names joined by commas, in declaration order: {@code content,metadata}. */
    public String kindsText() {
        return kindsText(kinds);
    }

    static String kindsText(Set<Kind> kinds) {
        return kinds.stream().map(Kind::wireName).collect(Collectors.joining(","));
    }
}

package io.farmvet.explain;

import java.util.List;
import java.util.Map;

/**
 * What a vet's explain step found: for each node (by name), the refs that differ for each explained repository,
 * and the notes of what it could not ask. Immutable.
 *
 * @param byNode node name to repository id to its refs; a repository that was not explained is absent
 * @param notes one line per server that failed and per kind of repository that could not be asked
 */
public record RefsFound(Map<String, Map<Long, RepositoryRefs>> byNode, List<String> notes) {
    public static final RefsFound NONE = new RefsFound(Map.of(), List.of());

    public RefsFound {
        byNode = Map.copyOf(byNode);
        notes = List.copyOf(notes);
    }

    /** The refs that differ for {@code repositoryId} on {@code node}, or null when it was not explained. */
    public RepositoryRefs of(String node, long repositoryId) {
        Map<Long, RepositoryRefs> repositories = byNode.get(node);
        return repositories == null ? null : repositories.get(repositoryId);
    }
}

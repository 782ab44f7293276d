package io.farmvet.explain;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's sync diagnostics of a vet.
 *
 * @param refChangesQueue the farm's pending sync requests, from the node's {@code supportInfo/refChangesQueue/count};
 *     null when not read
 * @param repositories what the node told of each drifted repository looked into, by the primary's repository id
 * @param notes what could not be asked or believed, at most one line per node and vet; never a verdict
 */
public record NodeSync(Long refChangesQueue, Map<Long, RepositorySync> repositories, List<String> notes) {
    public static final NodeSync NONE = new NodeSync(null, Map.of(), List.of());

    public NodeSync {
        repositories = java.util.Collections.unmodifiableMap(new TreeMap<>(repositories));
        notes = List.copyOf(notes);
    }

    /** The diagnosis of repository {@code id}, or null when none was made. */
    public RepositorySync repository(long id) {
        return repositories.get(id);
    }
}

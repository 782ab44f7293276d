package io.farmvet.explain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sync diagnostics of a whole vet, by node name (issue 12 section 3). Immutable; {@link #NONE} when none
 * were asked (no drift, no node answered, or the primary's listing failed).
 */
public record SyncDiagnostics(Map<String, NodeSync> nodes) {
    public static final SyncDiagnostics NONE = new SyncDiagnostics(Map.of());

    public SyncDiagnostics {
        nodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    }

    /** The node's diagnostics; {@link NodeSync#NONE} when it has none. */
    public NodeSync node(String name) {
        return nodes.getOrDefault(name, NodeSync.NONE);
    }

    /** What {@code node} told of repository {@code id}; null when nothing. */
    public RepositorySync repository(String node, long id) {
        return node(node).repository(id);
    }
}

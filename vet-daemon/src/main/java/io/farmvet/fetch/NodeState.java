package io.farmvet.fetch;

import java.util.Set;

/**
 * What a node's {@code GET /status} says, and what farmvet makes of it. Bitbucket mirrors and farmvet's agent both
 * answer {@code {"state": "SYNCHRONIZED", …}}; a node that is starting, still doing its first sync or in
 * maintenance lists less than it mirrors, so its drift is expected and not repaired.
 */
public final class NodeState {
    /** The probe got no answer (refused, timed out, TLS failed). */
    public static final String UNREACHABLE = "UNREACHABLE";
    /** The probe got an answer without a readable {@code state} (a 5xx page, another JSON shape). */
    public static final String UNKNOWN = "UNKNOWN";

    /**
     * States in which a node's listing can be trusted to show real drift. {@code RUNNING} is farmvet's agent with
     * resyncs queued: its listing is complete, and repairs for repositories already pending are skipped anyway.
     */
    private static final Set<String> SETTLED = Set.of("SYNCHRONIZED", "RUNNING");

    private NodeState() {}

    /** True when repairs may be sent to a node in {@code state}; a node without a status endpoint (null) may. */
    public static boolean allowsRepair(String state) {
        return state == null || SETTLED.contains(state);
    }
}

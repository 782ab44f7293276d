package io.farmvet.daemon;

import java.util.List;

/**
 * What one vet is asked to do: who asked, whether it may repair, and which nodes it covers. Immutable.
 *
 * @param trigger who started it
 * @param dryRun find and plan repairs but send none (for the repair step)
 * @param nodes names of the configured nodes to vet; empty for all of them
 */
public record VetRequest(Trigger trigger, boolean dryRun, List<String> nodes) {
    /** The request of every scheduled vet: all nodes, repairs as configured. */
    public static final VetRequest SCHEDULED = new VetRequest(Trigger.SCHEDULE, false, List.of());

    public VetRequest {
        nodes = List.copyOf(nodes);
    }

    /** Who started a vet; its wire name is stored in the history. */
    public enum Trigger {
        SCHEDULE("schedule"),
        API("api"),
        /** A Bitbucket webhook for a repository with a pending repair (debounced). */
        WEBHOOK("webhook");

        private final String wireName;

        Trigger(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}

package io.farmvet.repair.send;

import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.RepairTarget;
import java.util.Optional;

/**
 * Turns a {@link RepairTarget} into the request that asks for its resync, and judges the answer. One adapter per
 * {@code repair.mode}: {@link #NONE}, {@link HttpTemplateAdapter}, {@link AgentAdapter}. Adapters only build and
 * judge; {@link RequestSender} sends, with the bounds on pressure and retries. Implementations are immutable and
 * thread-safe.
 */
public interface RepairAdapter {
    /** Report only: builds no request, so nothing is ever sent. */
    RepairAdapter NONE = new RepairAdapter() {
        @Override
        public RepairMode mode() {
            return RepairMode.NONE;
        }

        @Override
        public Optional<RepairRequest> request(RepairTarget target) {
            return Optional.empty();
        }

        @Override
        public boolean accepts(int status) {
            return false;
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    RepairMode mode();

    /**
     * The request for one target, or empty when this adapter sends nothing.
     *
     * @throws IllegalArgumentException when the target cannot be made into a valid request (the message says why)
     */
    Optional<RepairRequest> request(RepairTarget target);

    /** True when an answer with this status means the node accepted the resync. */
    boolean accepts(int status);

    /** The adapter for {@code repair.mode}. */
    static RepairAdapter of(RepairSettings settings) {
        return switch (settings.mode()) {
            case HTTP -> new HttpTemplateAdapter(settings.http());
            case AGENT -> new AgentAdapter();
            case NONE -> NONE;
        };
    }
}

package io.farmvet.repair;

import io.farmvet.compare.Kind;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One line of a node's {@code "repairs"} in the vet's report: {@code {"repoId", "kinds", "outcome", "detail"}}.
 * The outcome is a {@link RepairOutcome} for what this vet did, or a {@link VerificationOutcome} for how an
 * earlier repair ended; {@link Outcome#wireName} is what the JSON carries.
 *
 * @param detail the reason or the request, secrets masked; null when there is nothing to add
 * @param cycleTime for a {@code repaired} entry, from the request to the vet that found it repaired (the repair
 *     cycle-time metric); null otherwise
 */
public record RepairEntry(long repoId, Set<Kind> kinds, Outcome outcome, String detail, Duration cycleTime) {
    /** An outcome with the name the report uses for it. */
    public sealed interface Outcome permits RepairOutcome, VerificationOutcome {
        String wireName();
    }

    public RepairEntry {
        Objects.requireNonNull(outcome, "outcome");
        kinds = kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    public RepairEntry(long repoId, Set<Kind> kinds, Outcome outcome, String detail) {
        this(repoId, kinds, outcome, detail, null);
    }

    /** The kinds as wire names joined by commas: {@code content,metadata}. */
    public String kindsText() {
        return RepairTarget.kindsText(kinds);
    }
}

package io.farmvet.repair.ledger;

import io.farmvet.repair.VerificationOutcome;
import java.time.Duration;

/**
 * A pending repair that a vet settled.
 *
 * @param repair the row as it is now
 * @param cycleTime from the request to the vet that found it repaired (for the repair cycle-time metric); for
 *     {@code still-divergent}, the time it was given
 */
public record Verification(RepairRecord repair, VerificationOutcome outcome, Duration cycleTime) {}

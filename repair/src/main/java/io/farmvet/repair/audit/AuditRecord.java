package io.farmvet.repair.audit;

import io.farmvet.compare.Kind;
import java.time.Instant;
import java.util.Set;

/**
 * One line of the audit log. Every line of one repair carries the id of its ledger row, so a reader pairs the
 * {@code sent} line with the answer line and the verification that followed.
 *
 * @param repairId the repair's row in the ledger
 * @param request method and URL, secrets masked; null for a verification
 * @param answer status and the start of the body, or the error, secrets masked; null when there was none
 * @param outcome a wire name: {@code sent} (written before the request leaves), then one answer line:
 *     {@code accepted}, {@code failed} or {@code unanswered} (farmvet stopped before the answer came; the repair
 *     stays pending), and later {@code repaired} or {@code still-divergent}
 * @param detail why, when the outcome needs a reason; null otherwise
 */
public record AuditRecord(
        Instant time,
        long repairId,
        String node,
        long repositoryId,
        long projectId,
        Set<Kind> kinds,
        String request,
        String answer,
        String outcome,
        String detail) {
    public static final String SENT = "sent";
    public static final String ACCEPTED = "accepted";
    public static final String FAILED = "failed";
    public static final String UNANSWERED = "unanswered";
}

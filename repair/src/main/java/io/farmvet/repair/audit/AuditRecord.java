package io.farmvet.repair.audit;

import io.farmvet.compare.Kind;
import java.time.Instant;
import java.util.Set;

/**
 * One line of the audit log.
 *
 * @param request method and URL, secrets masked; null for a verification
 * @param answer status and the start of the body, or the error, secrets masked; null when there was none
 * @param outcome a wire name: {@code sent}, {@code failed}, {@code repaired}, {@code still-divergent}
 * @param detail why, when the outcome needs a reason; null otherwise
 */
public record AuditRecord(
        Instant time,
        String node,
        long repositoryId,
        long projectId,
        Set<Kind> kinds,
        String request,
        String answer,
        String outcome,
        String detail) {}

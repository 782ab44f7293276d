package io.farmvet.repair.ledger;

import io.farmvet.compare.Kind;
import java.time.Instant;
import java.util.Set;

/**
 * One row of the ledger: one request for one (node, repository).
 *
 * @param request the request's method and URL, secrets masked
 * @param answer the last answer or error, secrets masked; null while the request is under way (or was when the
 *     process died)
 * @param verifiedAt when the state became final; null while pending
 * @param attempts attempts made to deliver the request
 * @param checks vets that found the repository still inconsistent while the repair was pending
 */
public record RepairRecord(
        long id,
        String node,
        long repositoryId,
        long projectId,
        Set<Kind> kinds,
        Instant requestedAt,
        String request,
        String answer,
        RepairState state,
        Instant verifiedAt,
        int attempts,
        int checks) {}

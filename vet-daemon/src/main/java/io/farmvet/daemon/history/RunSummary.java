package io.farmvet.daemon.history;

import java.time.Instant;

/**
 * One finished vet as the history lists it.
 *
 * @param status the report's status: {@code consistent}, {@code inconsistent} or {@code incomplete}
 */
public record RunSummary(String id, String status, Instant startedAt, long durationMs, long inconsistencies) {}

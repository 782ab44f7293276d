package io.farmvet.report;

import java.time.Instant;
import java.util.Objects;

/**
 * The last {@code mirror:repo_synchronized} webhook farmvet received for a repository from one mirror: what the
 * report shows as {@code "sync": {"lastEventAt", "syncType", "eventId"}} beside that repository's inconsistency
 * or repair. Immutable.
 *
 * @param mirror the mirror server's name, as the webhook gave it
 * @param syncType {@code snapshot} or {@code incremental}
 * @param eventId the delivery's {@code X-Request-Id}; null when Bitbucket sent none
 * @param receivedAt when farmvet received it, on farmvet's clock (the payload's {@code date} is the primary's)
 */
public record SyncEvent(String mirror, long repositoryId, String syncType, String eventId, Instant receivedAt) {
    public SyncEvent {
        Objects.requireNonNull(mirror, "mirror");
        Objects.requireNonNull(syncType, "syncType");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}

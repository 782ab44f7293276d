package io.farmvet.explain;

import java.time.Instant;

/**
 * Why one drifted repository is behind on one node, as the node itself tells it: the fields farmvet adds to the
 * report's per-repository {@code "sync"} object beside the webhook's last event. Each part is null when the node
 * did not give it (a call refused or failed: the node's note says which).
 *
 * @param lastSyncDate the node's {@code repoSyncStatus.lastSyncDate}; null also when the node never synced it
 * @param initialSyncDate the node's {@code repoSyncStatus.initialSyncDate}
 * @param failedSyncCount the node's {@code repoSyncStatus.failedSyncCount}
 * @param status the node's {@code mirrorRepos/{id}.status}, e.g. {@code ERROR_AVAILABLE}
 * @param bitbucketDelayed the repository is on Bitbucket's own {@code mirrorRepos/delayed-sync} list
 */
public record RepositorySync(
        Instant lastSyncDate,
        Instant initialSyncDate,
        Integer failedSyncCount,
        String status,
        boolean bitbucketDelayed) {
    /** Whether the node told anything about the repository. */
    public boolean isEmpty() {
        return lastSyncDate == null
                && initialSyncDate == null
                && failedSyncCount == null
                && status == null
                && !bitbucketDelayed;
    }
}

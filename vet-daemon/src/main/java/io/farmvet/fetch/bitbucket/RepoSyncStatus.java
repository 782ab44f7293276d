package io.farmvet.fetch.bitbucket;

import java.time.Instant;

/**
 * One repository's sync state on a mirror node, from its
 * {@code supportInfo/projects/{projectKey}/repos/{slug}/repoSyncStatus}.
 *
 * @param externalRepoId the primary's id of the repository (the one the listings carry), checked against the one
 *     asked for
 * @param contentHash the node's {@code hashes.content}; null when it has none yet (never synced)
 * @param metadataHash the node's {@code hashes.metadata}; null when it has none yet
 * @param lastSyncDate when the node last synced it; null when never
 * @param initialSyncDate when the node first synced it; null when never
 * @param failedSyncCount failed syncs since the last good one, as the node counts them
 */
public record RepoSyncStatus(
        long externalRepoId,
        String contentHash,
        String metadataHash,
        Instant lastSyncDate,
        Instant initialSyncDate,
        int failedSyncCount) {}

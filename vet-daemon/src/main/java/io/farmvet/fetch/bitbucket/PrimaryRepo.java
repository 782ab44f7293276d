package io.farmvet.fetch.bitbucket;

/**
 * One repository as the primary's {@code rest/mirroring/latest/repos/{id}} gives it: the same hashes its
 * {@code repo-hashes} listing carries, and its name.
 *
 * @param contentHash {@code properties.contentHash}; null when the primary gave none
 * @param metadataHash {@code properties.metadataHash}; null when the primary gave none
 */
public record PrimaryRepo(
        long id, long projectId, String projectKey, String slug, String contentHash, String metadataHash) {}

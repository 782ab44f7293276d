package io.farmvet.git;

/**
 * The hashes of one repository, as one line of a {@code repo-hashes} listing needs them.
 *
 * @param projectKey the project directory's name
 * @param slug the repository directory's name without {@code .git}
 * @param projectId {@link StableIds#projectId}
 * @param repositoryId {@link StableIds#repositoryId}
 * @param contentHash lower-case hex SHA-256 of the ref lines (see {@link RepositoryHasher})
 * @param metadataHash {@link MetadataHash#of} of key, slug and {@code head}
 * @param head what {@code HEAD} names: a ref name, a detached object id, or {@code ""} without {@code HEAD}
 * @param refCount number of lines that went into {@code contentHash}
 */
public record RepositoryHashes(
        String projectKey,
        String slug,
        long projectId,
        long repositoryId,
        String contentHash,
        String metadataHash,
        String head,
        int refCount) {}

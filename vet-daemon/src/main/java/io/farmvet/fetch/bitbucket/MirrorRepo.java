package io.farmvet.fetch.bitbucket;

import java.time.Instant;

/**
 * How a mirror node serves one repository, from its {@code mirrorRepos/{externalRepositoryId}}.
 *
 * @param status one of {@link #STATUSES}
 * @param available whether the node serves it to clients
 * @param lastUpdated when the node last changed this record; null when it did not say
 */
public record MirrorRepo(long externalRepoId, String status, boolean available, Instant lastUpdated) {
    /** Bitbucket's {@code RestMirroredRepository.status} values; anything else is refused. */
    public static final java.util.Set<String> STATUSES =
            java.util.Set.of("NOT_MIRRORED", "INITIALIZING", "AVAILABLE", "ERROR_INITIALIZING", "ERROR_AVAILABLE");
}

package io.farmvet.git;

import java.nio.file.Path;

/** What {@link FleetHasher} reports for one repository directory: its hashes, or why there are none. */
public sealed interface RepositoryOutcome permits RepositoryOutcome.Hashed, RepositoryOutcome.Failed {
    /** The repository directory (or, for a symbolic link that was not followed, the link). */
    Path path();

    record Hashed(Path path, RepositoryHashes hashes) implements RepositoryOutcome {}

    /**
     * @param cause a {@link RepositoryHashException} when the repository could not be read, an {@link
     *     IllegalArgumentException} when its directory name is not a valid key or slug, or an {@link
     *     java.io.IOException} for a symbolic link or a project directory that could not be listed
     */
    record Failed(Path path, Exception cause) implements RepositoryOutcome {}
}

package io.farmvet.git;

import java.io.IOException;
import java.nio.file.Path;

/** One repository could not be hashed; names the repository and chains what JGit or the file system said. */
public final class RepositoryHashException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path repository;

    public RepositoryHashException(Path repository, String message, Throwable cause) {
        super(repository + ": " + message, cause);
        this.repository = repository;
    }

    /** The repository's directory as it was given to the hasher. */
    public Path repository() {
        return repository;
    }
}

package io.farmvet.git;

import java.io.IOException;

/**
 * A resync of one mirror repository failed. The message names the repository ({@code key/slug} and its
 * directory) and the upstream URL with its user-info masked; the chained cause is a copy of what JGit or the file
 * system said, with the same masking applied to every message in the chain, so that logging the whole stack
 * trace cannot leak a password embedded in the URL.
 */
public final class MirrorSyncException extends IOException {
    private static final long serialVersionUID = 1L;

    public MirrorSyncException(String message, Throwable cause) {
        super(message, cause);
    }

    public MirrorSyncException(String message) {
        super(message);
    }
}

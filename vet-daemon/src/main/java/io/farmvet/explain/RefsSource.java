package io.farmvet.explain;

import io.farmvet.git.remote.AdvertisedRefs;
import io.farmvet.names.RepositoryNames;
import java.time.Duration;

/** Where one server's refs of a repository come from: Bitbucket's {@code /scm} ({@link ScmRefs}) or the agent. */
interface RefsSource {
    /** Why the refs did not come; the message names the server and what to do. */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Whether this server can only be asked by name (Bitbucket's {@code /scm/{key}/{slug}.git}). */
    boolean needsName();

    /**
     * @param name the repository's name, null when not known (then only a source that does not {@link #needsName})
     * @param timeout the most this call may take
     */
    AdvertisedRefs refs(long repositoryId, RepositoryNames.Name name, Duration timeout) throws Unavailable;
}

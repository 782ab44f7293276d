package io.farmvet.git.remote;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The refs a server advertises for one repository, as {@code git ls-remote} prints them without the peeled
 * {@code ^{}} lines: each ref's own object id (an annotated tag's is the tag object's, as in the agent's content
 * hash). Immutable.
 *
 * @param refs ref name to lower-case hex object id, sorted by name (byte order, as {@code LC_ALL=C sort}); without
 *     {@code HEAD}
 * @param head the ref {@code HEAD} points to ({@code refs/heads/main}), the object id of a detached {@code HEAD},
 *     or null when the server did not say or the repository has no {@code HEAD}
 * @param bytes what the ls-remote read for it, on every transport: HTTP bodies, the git:// socket, the output of
 *     {@code git-upload-pack} over ssh; 0 when the refs came another way
 */
public record AdvertisedRefs(SortedMap<String, String> refs, String head, long bytes) {
    public AdvertisedRefs {
        refs = Collections.unmodifiableSortedMap(new TreeMap<>(refs));
    }

    /** Refs that were not read over the Git protocol (the agent's refs endpoint): no bytes counted. */
    public AdvertisedRefs(SortedMap<String, String> refs, String head) {
        this(refs, head, 0);
    }
}

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
 * @param head the ref {@code HEAD} points to ({@code refs/heads/main}), or null when the server did not say or
 *     the repository has no {@code HEAD}
 * @param bytes the bytes the answer took on the wire (over HTTP: the bodies of its requests, as received)
 */
public record AdvertisedRefs(SortedMap<String, String> refs, String head, long bytes) {
    public AdvertisedRefs {
        refs = Collections.unmodifiableSortedMap(new TreeMap<>(refs));
    }
}

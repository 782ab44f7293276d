package io.farmvet.vet;

import java.util.Locale;

/**
 * How a node's drift was looked at again before it was repaired (issue 12): per repository or through the whole
 * listings, why the listings where that was a fallback, and what the look fetched.
 *
 * @param reason why the listings were fetched although the node's drift was small enough, or null: the drift was
 *     larger than {@code repair.confirm-per-repository-max}, or the per-repository endpoints did not serve it
 * @param bytes the bodies the second look read for this node (after gzip): the primary's answers and the node's;
 *     with the listings, the primary's whole listing is counted for each node that needed it, and a per-repository
 *     look that fell back is counted too
 * @param requests the GETs the second look sent for this node, counted the same way
 */
public record SecondLook(Way way, String reason, long bytes, long requests) {
    public enum Way {
        PER_REPOSITORY,
        LISTINGS;

        /** The name in the report: {@code per-repository} or {@code listings}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The same look with more fetched before it (a per-repository look that fell back to the listings). */
    SecondLook after(long moreBytes, long moreRequests) {
        return new SecondLook(way, reason, bytes + moreBytes, requests + moreRequests);
    }
}

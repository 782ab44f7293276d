package io.farmvet.listing;

/**
 * Bounds on what {@link ListingReader} accepts, passed to Jackson as {@code StreamReadConstraints}, so a
 * lying or broken server cannot make farmvet read forever or allocate without bound.
 *
 * @param maxDocumentBytes largest listing accepted. Default 2 GiB: a listing costs about 190 bytes per
 *     repository, so this covers some ten million repositories.
 * @param maxStringLength longest JSON string (hashes are at most {@value HashValue#MAX_HEX_LENGTH}
 *     characters; the rest are unknown fields we skip). Default 64 KiB.
 * @param maxNestingDepth deepest nesting of arrays and objects. The format needs 6 (root object, projects
 *     array, project object, repositories array, repository object, hashes object); unknown fields may nest a
 *     little deeper. Default 32.
 */
public record ListingLimits(long maxDocumentBytes, int maxStringLength, int maxNestingDepth) {
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 2L << 30;
    public static final int DEFAULT_MAX_STRING_LENGTH = 64 << 10;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 32;
    /** The depth of a {@code hashes} object: a smaller limit would refuse every listing. */
    public static final int MIN_NESTING_DEPTH = 6;

    public static final ListingLimits DEFAULTS =
            new ListingLimits(DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_NESTING_DEPTH);

    public ListingLimits {
        if (maxDocumentBytes < 1 || maxStringLength < HashValue.MAX_HEX_LENGTH || maxNestingDepth < MIN_NESTING_DEPTH) {
            throw new IllegalArgumentException("listing limits too small: " + maxDocumentBytes + " bytes, "
                    + maxStringLength + " chars, depth " + maxNestingDepth);
        }
    }

    public ListingLimits withMaxDocumentBytes(long bytes) {
        return new ListingLimits(bytes, maxStringLength, maxNestingDepth);
    }
}

package io.farmvet.listing;

import java.io.IOException;
import java.io.InputStream;

/**
 * Streams a repo-hashes listing into a {@link ListingHandler}, one repository at a time, never holding the
 * document. Thread-safe: one reader may serve many concurrent reads.
 */
public final class ListingReader {
    private final ListingLimits limits;

    public ListingReader(ListingLimits limits) {
        this.limits = limits;
    }

    public ListingLimits limits() {
        return limits;
    }

    /**
     * Reads the whole document from {@code in} (not closed here).
     *
     * @param source names the server or file in error messages
     * @throws ListingFormatException the document is not a well-formed listing of {@code kind}
     * @throws IOException reading {@code in} failed (passed through unchanged, so callers can tell a broken
     *     connection from a broken document)
     */
    public ListingSummary read(InputStream in, String source, ListingKind kind, ListingHandler handler)
            throws IOException {
        throw new UnsupportedOperationException("ListingReader is being written: issue 2");
    }
}

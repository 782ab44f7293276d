package io.farmvet.listing;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams a repo-hashes listing into a {@link ListingHandler}, one repository at a time, never holding the
 * document.
 *
 * <p>The document must be {@code {"projects":[{"id":N,"public":B,"repositories":[{"id":N,"hashes":{...}}]}]}},
 * with the hashes that the {@link ListingKind} carries; fields may come in any order and unknown fields of any
 * type are skipped. Anything else (bad JSON, a wrong type, a negative id, a hash that is not hex, a missing
 * required field, an early end, trailing data, a limit exceeded, a handler that rejects an entry) is a
 * {@link ListingFormatException} naming the problem, its place and the nearest repository id.
 *
 * <p>{@code public} may be absent (read as false) but not null; a {@code null} hash counts as absent, and a
 * hash the kind does not carry is checked but not shown in the {@link ListingEntry}.
 *
 * <p>Repositories are delivered as soon as their object ends, except those listed before their project's
 * {@code id}: these are held compactly (ids in a long array, hashes as packed nibbles: about 76 bytes each for
 * SHA-256 hashes, never much more than that project's JSON text) until the project object ends. Bitbucket writes {@code id} first, so normally nothing is held. A handler may have received part
 * of a listing before a read fails: callers must not act on a listing whose read did not return.
 *
 * <p>Thread-safe: the Jackson factory is built once and shared; each call has its own parser and cursor.
 */
public final class ListingReader {
    /**
     * Longest number accepted, in characters. An id fits a long (19 digits and a sign); 24 leaves room to say
     * "too large" for a slightly longer one while refusing the megabyte-long numbers that make parsers slow.
     */
    public static final int MAX_NUMBER_LENGTH = 24;

    /** Longest field name accepted. Ours are at most 12 characters; unknown ones are skipped but still read. */
    public static final int MAX_NAME_LENGTH = 1024;

    /** Jackson quotes at most this much of a bad token in its messages, to keep log lines short. */
    private static final int MAX_ERROR_TOKEN_LENGTH = 20;

    private final ListingLimits limits;
    private final JsonFactory factory;

    public ListingReader(ListingLimits limits) {
        this.limits = limits;
        // maxDocumentLength is checked by Jackson each time it refills its 8000-byte buffer, so it may read up
        // to one buffer past the limit before it refuses; the total is always checked at the end of input.
        // maxStringLength is checked on strings the reader looks at; strings of skipped unknown fields are
        // never buffered, so they are bounded by the document size alone.
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(limits.maxDocumentBytes())
                .maxStringLength(limits.maxStringLength())
                .maxNestingDepth(limits.maxNestingDepth())
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .build();
        this.factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(MAX_ERROR_TOKEN_LENGTH)
                        .maxRawContentLength(0)
                        .build())
                // The caller owns the stream: it may be an HTTP entity whose connection goes back to a pool.
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .build();
    }

    public ListingLimits limits() {
        return limits;
    }

    /**
     * Reads the whole document from {@code in} (not closed here), up to the end of input.
     *
     * @param source names the server or file in error messages
     * @return the number of project objects and repositories read and the bytes of the document
     * @throws ListingFormatException the document is not a well-formed listing of {@code kind}, or the handler
     *     rejected an entry
     * @throws IOException reading {@code in} failed (passed through unchanged, so callers can tell a broken
     *     connection from a broken document)
     */
    public ListingSummary read(InputStream in, String source, ListingKind kind, ListingHandler handler)
            throws IOException {
        CountingInputStream counted = new CountingInputStream(in);
        try (JsonParser parser = factory.createParser(counted)) {
            return new ListingParse(parser, counted, source, kind, handler, limits).run();
        } catch (CharConversionException e) {
            // Jackson guesses UTF-16 or UTF-32 from the first four bytes (leading zero bytes, say), and its UTF-32
            // decoder reports a bad character as this IOException, which is a broken document, not a broken
            // stream. A listing is UTF-8 (RFC 8259 section 8.1). Found by ListingReaderFuzzTest (issue 6).
            throw new ListingFormatException(
                    source,
                    "not UTF-8 JSON text: " + e.getMessage(),
                    ListingFormatException.UNKNOWN,
                    0,
                    0,
                    ListingFormatException.UNKNOWN,
                    e);
        }
    }
}

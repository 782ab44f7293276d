package io.farmvet.fetch;

import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingSummary;

/**
 * One server's listing as a vet reads it: {@link #send} (the server is asked, a refusal shows at once), then
 * {@link #read} it once into a handler. {@link #cancel} from any thread aborts it at whatever step it is; always
 * {@link #close}. A {@link ListingRequest} GETs a {@code repo-hashes} listing; a {@link GitListing} builds one over
 * the Git protocol.
 */
public interface ListingSource extends AutoCloseable {
    /** @throws FetchException the server could not be reached or did not answer with a listing */
    void send() throws FetchException;

    /** @throws FetchException the listing could not be read whole, or is not a well-formed listing */
    ListingSummary read(ListingHandler handler) throws FetchException;

    /** Aborts the listing from any thread; the pending or next {@link #read} fails with {@code reason}. */
    void cancel(String reason);

    /** The server's clock minus farmvet's ({@link ClockSkew}), null when unknown. */
    Long clockSkewMs();

    /** Bytes of the listing read so far. */
    long bytesRead();

    @Override
    void close();

    /** What the listing, read whole, could not judge: one line each for the report (a refused repository). */
    default java.util.List<String> notes() {
        return java.util.List.of();
    }
}

package io.farmvet.listing;

/**
 * Receives a listing one entry at a time from {@link ListingReader}.
 *
 * <p>The {@link ListingEntry} passed to {@link #repository} is reused for the next entry: copy what must
 * outlive the call. Any method may reject what it sees by throwing {@link EntryRejectedException}; the reader
 * turns that into a {@link ListingFormatException} carrying the position in the document.
 */
public interface ListingHandler {

    /** One repository of the listing; {@code entry} is valid only during this call. */
    void repository(ListingEntry entry) throws EntryRejectedException;

    /**
     * One project object of the listing, called once it is complete (after its repositories), so that a
     * project listed with no repositories is still seen.
     *
     * @param key the project's key where the listing names it (farmvet's agent does; Bitbucket does not), else
     *     null
     */
    default void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {}

    /**
     * The document was read whole and well formed; called once, before {@link ListingReader#read} returns. A handler
     * that defers work (a batch of lookups, an index built once) finishes it here, and may still reject the listing:
     * the error then stands at the end of the document and names {@link EntryRejectedException#repositoryId()}.
     */
    default void end() throws EntryRejectedException {}
}

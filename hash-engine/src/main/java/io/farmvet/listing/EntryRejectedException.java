package io.farmvet.listing;

/** Thrown by a {@link ListingHandler} that refuses an entry, e.g. a repository id listed twice. */
public final class EntryRejectedException extends Exception {
    public EntryRejectedException(String message) {
        super(message);
    }
}

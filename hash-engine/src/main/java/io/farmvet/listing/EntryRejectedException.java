package io.farmvet.listing;

/** Thrown by a {@link ListingHandler} that refuses an entry, e.g. a repository id listed twice. */
public final class EntryRejectedException extends Exception {
    private final long repositoryId;

    public EntryRejectedException(String message) {
        this(message, ListingFormatException.UNKNOWN);
    }

    /**
     * @param repositoryId the repository the refusal is about, for a refusal found after its entry was delivered
     *     (at the end of the listing, say), so that the error still names the right one
     */
    public EntryRejectedException(String message, long repositoryId) {
        super(message);
        this.repositoryId = repositoryId;
    }

    /** The repository the refusal is about, or {@link ListingFormatException#UNKNOWN}. */
    public long repositoryId() {
        return repositoryId;
    }
}

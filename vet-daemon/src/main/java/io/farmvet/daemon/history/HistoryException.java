package io.farmvet.daemon.history;

/** The run history could not be opened, read or written; the message names the database and what failed. */
public final class HistoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }
}

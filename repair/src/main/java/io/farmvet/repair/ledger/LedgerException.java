package io.farmvet.repair.ledger;

/** The repair ledger could not be opened, read or written; the message names the database and what was done. */
public final class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }

    public LedgerException(String message) {
        super(message);
    }
}

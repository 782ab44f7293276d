package io.farmvet.fetch;

import java.io.IOException;

/**
 * A listing that could not be fetched whole from one server. The message is the whole story for the report:
 * which server, what happened, after how long and how much, and what to check.
 */
public final class FetchException extends IOException {
    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}

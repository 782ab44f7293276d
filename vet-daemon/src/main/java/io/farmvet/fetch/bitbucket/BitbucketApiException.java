package io.farmvet.fetch.bitbucket;

/**
 * A mirroring REST call that gave no usable answer: not answered, not 200, too long, or an answer farmvet will
 * not believe (another repository's, wrong types, made-up values). The message is one line for the report: the
 * server, the path, what was wrong, and what to do where there is something to do.
 *
 * <p>{@link #httpStatus} keeps the answer's HTTP status so that a caller can tell "this server does not offer
 * it" (401 without ADMIN, 404 before the endpoint existed, 405) from "it answered badly", and fall back.
 */
public final class BitbucketApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    BitbucketApiException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The answer's HTTP status when it was not 200; 0 when there was none (not answered) or it was 200. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The call got no answer to read: not answered in time, refused at the connection, cut short or longer than
     * its bound. Asking the same server more now would only cost more of the vet's time.
     */
    public boolean unanswered() {
        return httpStatus == 0 && getCause() instanceof io.farmvet.fetch.FetchException;
    }

    /**
     * The server does not offer this call to farmvet: 401/403 (the account lacks ADMIN), 404 (a version before the
     * endpoint, or an agent without it), 405. Anything else is a server that answered badly or not at all.
     */
    public boolean notOffered() {
        return httpStatus == 401 || httpStatus == 403 || httpStatus == 404 || httpStatus == 405;
    }
}

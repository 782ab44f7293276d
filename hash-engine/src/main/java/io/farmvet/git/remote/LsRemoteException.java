package io.farmvet.git.remote;

/**
 * Why an ls-remote gave no refs. The message names the server and the repository, with secrets masked, and says
 * what to do next.
 */
public final class LsRemoteException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that treat cases apart (issue 13: a repository not there is {@code missing}). */
    public enum Reason {
        /** 401 or 403: the credentials are missing, wrong, or lack read access. */
        REFUSED,
        /** 404 or the server's "repository not found". */
        NOT_FOUND,
        /** More refs or bytes than the limits allow. */
        TOO_LARGE,
        /** No answer within the time allowed. */
        TIMED_OUT,
        /** Anything else: a refused connection, TLS, a malformed advertisement, a redirect. */
        FAILED
    }

    private final Reason reason;

    public LsRemoteException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

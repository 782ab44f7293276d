package io.farmvet.daemon;

/** The daemon cannot start: the REST API cannot listen, or the scheduler cannot start. The message says which. */
public final class DaemonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }
}

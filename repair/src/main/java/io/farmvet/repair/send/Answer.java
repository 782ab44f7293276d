package io.farmvet.repair.send;

import java.time.Duration;

/**
 * A node's answer to one resync request.
 *
 * @param body the start of the body, whitespace collapsed, at most {@link #MAX_BODY_CHARS} characters
 * @param retryAfter the {@code Retry-After} it asked for, or null
 */
public record Answer(int status, String body, Duration retryAfter) {
    /** Enough for an error message; a whole error page has no place in a report or an audit line. */
    public static final int MAX_BODY_CHARS = 200;

    /** {@code HTTP 202} or {@code HTTP 500: <body>}. */
    public String summary() {
        return body == null || body.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + body;
    }
}

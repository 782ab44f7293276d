package io.farmvet.fetch;

import java.io.IOException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * Retries an idempotent request once, at once, when the server closed the connection without answering it: a
 * pooled keep-alive connection that the server (or a proxy) closed after the last answer, which the pool's stale
 * check cannot see until the request has gone out (issue 11: the GET after {@code /status}). The failed
 * connection is discarded, so the retry goes out on a fresh one. No answer is ever retried (a 503 is the
 * server's word), nor any other failure. Stateless.
 */
final class UnansweredGetRetry implements HttpRequestRetryStrategy {
    static final int MAX_RETRIES = 1;

    @Override
    public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
        return execCount <= MAX_RETRIES
                && exception instanceof NoHttpResponseException
                && Method.isIdempotent(request.getMethod());
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
        return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
        return TimeValue.ZERO_MILLISECONDS;
    }
}

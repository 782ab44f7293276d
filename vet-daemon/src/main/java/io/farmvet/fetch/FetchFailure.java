package io.farmvet.fetch;

import io.farmvet.listing.ListingFormatException;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.TruncatedChunkException;

/**
 * Turns whatever broke one server's fetch into a {@link FetchException} an operator can act on: who, what, after
 * how long and how much, and what to check. One per fetch.
 */
final class FetchFailure {
    private final String server;
    private final String url;
    private final String configPath;
    private final ServerProgress progress;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long startNanos = System.nanoTime();
    private volatile String cancelReason;

    FetchFailure(
            String server,
            String url,
            String configPath,
            ServerProgress progress,
            Duration connectTimeout,
            Duration readTimeout) {
        this.server = server;
        this.url = url;
        this.configPath = configPath;
        this.progress = progress;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** Records why the fetch is being cancelled, so the error the read then raises can say it. */
    void cancelled(String reason) {
        cancelReason = reason;
    }

    boolean isCancelled() {
        return cancelReason != null;
    }

    String url() {
        return url;
    }

    String configPath() {
        return configPath;
    }

    FetchException status(String what) {
        return new FetchException(server + ": GET " + url + " " + what, null);
    }

    FetchException explain(Throwable e) {
        String reason = cancelReason;
        if (reason != null) {
            return new FetchException(server + ": " + reason + " " + soFar(), e);
        }
        String host = URI.create(url).getHost();
        String message;
        if (e instanceof ListingFormatException) {
            message = e.getMessage() + "; " + soFar().replace("after ", "read ");
            return new FetchException(message, e);
        } else if (e instanceof ConnectTimeoutException) {
            message = "no connection to " + host + " within " + Units.duration(connectTimeout)
                    + " (http.connect-timeout); check that the server is up and reachable from here";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            message = "cannot connect to " + url + ": " + e.getMessage() + "; check that the server is up and "
                    + configPath + ".url is right";
        } else if (e instanceof UnknownHostException) {
            message = "unknown host " + host + "; check " + configPath + ".url";
        } else if (e instanceof SocketTimeoutException) {
            message = "no data for " + Units.duration(readTimeout) + " (http.read-timeout) " + soFar();
        } else if (e instanceof SSLException) {
            message = "TLS with " + host + " failed: " + e.getMessage()
                    + "; if its certificate comes from an internal CA, add that CA to http.ca-file";
        } else if (e instanceof ConnectionClosedException
                || e instanceof TruncatedChunkException
                || e instanceof MalformedChunkCodingException) {
            message = "repo-hashes stream ended early " + soFar() + ": " + e.getMessage();
        } else if (e instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            message = "fetch interrupted " + soFar();
        } else if (e instanceof IOException) {
            message = "reading the listing failed " + soFar() + ": " + e;
        } else {
            message = "unexpected error " + soFar() + ": " + e;
        }
        return new FetchException(server + ": " + message, e);
    }

    /** {@code after 41210 repositories (12.4 MB, 30.012s)}. */
    String soFar() {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        return "after " + Units.count(progress.repositories(), "repository", "repositories") + " ("
                + Units.bytes(progress.bytes()) + ", " + Units.millis(ms) + ")";
    }
}

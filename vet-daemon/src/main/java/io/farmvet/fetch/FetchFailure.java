package io.farmvet.fetch;

import io.farmvet.listing.ListingFormatException;
import io.farmvet.secret.SecretMasker;
import io.farmvet.util.Units;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.zip.ZipException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.TruncatedChunkException;

/**
 * Turns whatever broke one server's fetch into a {@link FetchException} an operator can act on: who, what, after
 * how long and how much, and what to check. One per fetch.
 *
 * <p>Every message it builds, and every cause it chains, passes through the request's {@link SecretMasker}: an
 * error page, a parse error quoting a listing's field, or a client's exception may all carry what the request sent
 * (a debugging proxy echoes the {@code Authorization} header; a listing field may hold it, issue 11).
 */
final class FetchFailure {
    private final String server;
    private final String url;
    private final String configPath;
    private final SecretMasker masker;
    private final ServerProgress progress;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final long startNanos = System.nanoTime();
    private volatile String cancelReason;
    private volatile boolean gzip;

    FetchFailure(
            String server,
            String url,
            String configPath,
            SecretMasker masker,
            ServerProgress progress,
            Duration connectTimeout,
            Duration readTimeout) {
        this.server = server;
        this.url = url;
        this.configPath = configPath;
        this.masker = masker;
        this.progress = progress;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** Records why the fetch is being cancelled, so the error the read then raises can say it. */
    void cancelled(String reason) {
        cancelReason = reason;
    }

    /** The body is gzip: sizes then say the bytes on the wire too, and a broken gzip stream is named as such. */
    void gzip(boolean gzip) {
        this.gzip = gzip;
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

    /** Any text built from the server's answer or about the request, with the request's secrets masked. */
    String mask(String text) {
        return masker.text(text);
    }

    FetchException status(String what) {
        return failed(server + ": GET " + masker.url(url) + " " + what, null);
    }

    FetchException explain(Throwable e) {
        String reason = cancelReason;
        if (reason != null) {
            return failed(server + ": " + reason + " " + soFar(), e);
        }
        String host = URI.create(url).getHost();
        String message;
        if (e instanceof ListingFormatException) {
            message = e.getMessage() + "; " + soFar().replace("after ", "read ");
            return failed(message, e);
        } else if (e instanceof ConnectTimeoutException) {
            message = "no connection to " + host + " within " + Units.duration(connectTimeout)
                    + " (http.connect-timeout); check that the server is up and reachable from here";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            message = "cannot connect to " + masker.url(url) + ": " + e.getMessage()
                    + "; check that the server is up and " + configPath + ".url is right";
        } else if (e instanceof UnknownHostException) {
            message = "unknown host " + host + "; check " + configPath + ".url";
        } else if (e instanceof SocketTimeoutException) {
            message = "no data for " + Units.duration(readTimeout) + " (http.read-timeout) " + soFar();
        } else if (e instanceof SSLException) {
            message = "TLS with " + host + " failed: " + e.getMessage()
                    + "; if its certificate comes from an internal CA, add that CA to http.ca-file";
        } else if (e instanceof NoHttpResponseException) {
            message = "GET " + url + ": the server closed the connection without answering, twice (the GET was "
                    + "retried once on a fresh connection); check the server's log, and any proxy or load balancer "
                    + "in front of it";
        } else if (gzip && (e instanceof ZipException || e instanceof EOFException)) {
            message = "the gzip-compressed listing is corrupt or cut short " + soFar() + ": " + e.getMessage();
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
        return failed(server + ": " + message, e);
    }

    private FetchException failed(String message, Throwable cause) {
        return new FetchException(masker.text(message), cause == null ? null : masker.throwable(cause));
    }

    /**
     * {@code after 41210 repositories (12.4 MB, 30.012s)}; for a gzip body the decoded size, then the bytes on
     * the wire: {@code (12.4 MB decoded from 1.9 MB gzip, 30.012s)}.
     */
    String soFar() {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        String size = Units.bytes(progress.bytes());
        if (gzip) {
            size += " decoded from " + Units.bytes(progress.wireBytes()) + " gzip";
        }
        return "after " + Units.count(progress.repositories(), "repository", "repositories") + " (" + size + ", "
                + Units.millis(ms) + ")";
    }
}

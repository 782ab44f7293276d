package io.farmvet.git.remote;

import io.farmvet.util.Units;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections for one ls-remote, held to farmvet's rules: the server's trust ({@code http.ca-file}),
 * never switched off by a git config's {@code http.sslVerify}; farmvet's timeouts, shortened to what is left of
 * the call's time; a bound on the bytes read and on the time spent reading; no redirect followed, since it would
 * carry the credentials elsewhere. Records the last HTTP status so that a refusal can be named. One per call;
 * JGit may use it from the calling thread only.
 *
 * <p>Connections are kept alive across calls by the JDK's cache, which hands an HTTPS connection back only to a
 * request with the same {@link SSLSocketFactory} instance. JGit's {@code configure(..., trust, ...)} makes a new
 * one for every connection, so with {@code http.ca-file} every request was a new TLS handshake: the factory is
 * made once per server ({@link LsRemote}) and set on each connection instead.
 */
final class GuardedHttp extends JDKHttpConnectionFactory {
    /** The body read past its byte bound. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** The call ran out of time while reading. */
    static final class OutOfTime extends IOException {
        private static final long serialVersionUID = 1L;

        OutOfTime(String message) {
            super(message);
        }
    }

    /** A 3xx answer: not followed. */
    static final class Redirected extends IOException {
        private static final long serialVersionUID = 1L;

        Redirected(String message) {
            super(message);
        }
    }

    private final SSLSocketFactory tls;
    private final long connectTimeoutMs;
    private final long readTimeoutMs;
    private final long maxBytes;
    private final long deadlineNanos;
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile int lastStatus = -1;

    /** @param tls the server's TLS ({@code http.ca-file}), shared by its calls; null for the JDK's own */
    GuardedHttp(SSLSocketFactory tls, long connectTimeoutMs, long readTimeoutMs, long maxBytes, long deadlineNanos) {
        this.tls = tls;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
    }

    /** The status of the last answer, or -1 when none came. */
    int lastStatus() {
        return lastStatus;
    }

    long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return configured(new Guarded(withTls(url), null));
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return configured(new Guarded(withTls(url), proxy));
    }

    /**
     * {@code url}, opening its connection with the shared {@link #tls}: JGit's connection opens the URL it is
     * given and offers no other way to set the factory on it.
     */
    private URL withTls(URL url) throws IOException {
        if (tls == null || !"https".equalsIgnoreCase(url.getProtocol())) {
            return url;
        }
        return new URL(null, url.toString(), new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL u) throws IOException {
                return openConnection(u, Proxy.NO_PROXY);
            }

            @Override
            protected URLConnection openConnection(URL u, Proxy proxy) throws IOException {
                HttpsURLConnection connection = (HttpsURLConnection) new URL(u.toString()).openConnection(proxy);
                connection.setSSLSocketFactory(tls);
                return connection;
            }
        });
    }

    /** A session that ignores {@code sslVerify}: verification is never turned off here. */
    @Override
    public GitSession newSession() {
        return new GitSession() {
            @Override
            public HttpConnection configure(HttpConnection connection, boolean sslVerify) {
                return connection;
            }

            @Override
            public void close() {}
        };
    }

    private Guarded configured(Guarded connection) {
        connection.applyTimeouts();
        return connection;
    }

    private int remainingMs(long capMs) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        // 0 would mean "wait forever" to HttpURLConnection.
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(capMs, left)));
    }

    private final class Guarded extends JDKHttpConnection {
        Guarded(URL url, Proxy proxy) throws IOException {
            super(url, proxy == null ? Proxy.NO_PROXY : proxy);
        }

        void applyTimeouts() {
            super.setConnectTimeout(remainingMs(connectTimeoutMs));
            super.setReadTimeout(remainingMs(readTimeoutMs));
            super.setInstanceFollowRedirects(false);
        }

        // JGit sets its own timeouts (whole seconds, or none at all): farmvet's stay.
        @Override
        public void setConnectTimeout(int timeout) {}

        @Override
        public void setReadTimeout(int timeout) {}

        @Override
        public void setInstanceFollowRedirects(boolean followRedirects) {}

        @Override
        public int getResponseCode() throws IOException {
            int status = super.getResponseCode();
            lastStatus = status;
            if (status >= 300 && status < 400) {
                String location = getHeaderField("Location");
                throw new Redirected("answered HTTP " + status + " (a redirect"
                        + (location == null ? "" : " to " + location)
                        + "), which farmvet does not follow: it would carry the credentials along; configure the"
                        + " URL it redirects to");
            }
            return status;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new Bounded(super.getInputStream());
        }
    }

    /** Counts every byte of every answer of the call against {@code maxBytes}, and checks the time left. */
    private final class Bounded extends FilterInputStream {
        Bounded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            check(0);
            int b = super.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check(0);
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                check(n);
            }
            return n;
        }

        private void check(int n) throws IOException {
            long total = bytesRead.addAndGet(n);
            if (total > maxBytes) {
                throw new TooLarge("the advertisement is larger than " + Units.bytes(maxBytes));
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new OutOfTime("still reading after " + total + " bytes when the time allowed ran out");
            }
        }
    }
}

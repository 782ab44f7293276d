package io.farmvet.git.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections for one ls-remote, held to farmvet's rules: the server's trust ({@code http.ca-file}),
 * never switched off by a git config's {@code http.sslVerify}; farmvet's timeouts, shortened to what is left of
 * the call's time; its {@link ReadBudget} on the bytes read and on the time spent reading; no redirect followed, since it would
 * carry the credentials elsewhere. Records the last HTTP status so that a refusal can be named. One per call;
 * JGit may use it from the calling thread only.
 *
 * <p>Connections are kept alive across calls by the JDK's cache, which hands an HTTPS connection back only to a
 * request with the same {@link SSLSocketFactory} instance. JGit's {@code configure(..., trust, ...)} makes a new
 * one for every connection, so with {@code http.ca-file} every request was a new TLS handshake: the factory is
 * made once per server ({@link LsRemote}) and set on each connection instead.
 */
final class GuardedHttp extends JDKHttpConnectionFactory {
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
    private final ReadBudget budget;
    private volatile int lastStatus = -1;

    /** @param tls the server's TLS ({@code http.ca-file}), shared by its calls; null for the JDK's own */
    GuardedHttp(SSLSocketFactory tls, long connectTimeoutMs, long readTimeoutMs, ReadBudget budget) {
        this.tls = tls;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.budget = budget;
    }

    /** The status of the last answer, or -1 when none came. */
    int lastStatus() {
        return lastStatus;
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

    private final class Guarded extends JDKHttpConnection {
        Guarded(URL url, Proxy proxy) throws IOException {
            super(url, proxy == null ? Proxy.NO_PROXY : proxy);
        }

        void applyTimeouts() {
            super.setConnectTimeout(budget.remainingMs(connectTimeoutMs));
            super.setReadTimeout(budget.remainingMs(readTimeoutMs));
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
            return budget.bound(super.getInputStream());
        }
    }
}

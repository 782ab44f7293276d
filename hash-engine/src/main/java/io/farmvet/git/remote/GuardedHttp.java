package io.farmvet.git.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.URL;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections for one ls-remote, held to farmvet's rules: the server's trust ({@code http.ca-file}),
 * never switched off by a git config's {@code http.sslVerify}; farmvet's timeouts, shortened to what is left of
 * the call's time; its {@link ReadBudget} on the bytes read and on the time spent reading; no redirect followed, since it would
 * carry the credentials elsewhere. Records the last HTTP status so that a refusal can be named. One per call;
 * JGit may use it from the calling thread only.
 */
final class GuardedHttp extends JDKHttpConnectionFactory {
    /** A 3xx answer: not followed. */
    static final class Redirected extends IOException {
        private static final long serialVersionUID = 1L;

        Redirected(String message) {
            super(message);
        }
    }

    private final TrustManager[] trust;
    private final long connectTimeoutMs;
    private final long readTimeoutMs;
    private final ReadBudget budget;
    private volatile int lastStatus = -1;

    /** @param trust null for the JDK's own trust store */
    GuardedHttp(TrustManager[] trust, long connectTimeoutMs, long readTimeoutMs, ReadBudget budget) {
        this.trust = trust;
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
        return configured(new Guarded(url, null));
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        return configured(new Guarded(url, proxy));
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

    private Guarded configured(Guarded connection) throws IOException {
        if (trust != null && "https".equalsIgnoreCase(connection.getURL().getProtocol())) {
            try {
                connection.configure(null, trust, null);
            } catch (NoSuchAlgorithmException | KeyManagementException e) {
                throw new IOException("TLS set-up failed: " + e.getMessage(), e);
            }
        }
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

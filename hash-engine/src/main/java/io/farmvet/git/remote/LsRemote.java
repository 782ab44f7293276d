package io.farmvet.git.remote;

import io.farmvet.git.remote.LsRemoteException.Reason;
import io.farmvet.secret.SecretMasker;
import io.farmvet.util.Units;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;

/**
 * {@code git ls-remote} in process, through JGit's transports: the refs one server advertises for one repository
 * ({@link AdvertisedRefs}). JGit speaks protocol v2 ({@code ls-refs}) where the server offers it and v0 otherwise;
 * either way the answer is the same. Over HTTP(S) the {@code Authorization} header goes with the first request,
 * since forges rate-limit anonymous ones and a 401 round trip doubles the requests; trust, timeouts and bounds
 * are farmvet's ({@link GuardedHttp}). Other transports (ssh://, git://) open through JGit too; their
 * authentication is not set up here yet.
 *
 * <p>One instance per server, holding its settings; {@link #list} may be called from many threads at once, each
 * call on its own connection.
 */
public final class LsRemote {
    /** Far above a busy repository's heads and tags (the Linux kernel advertises under 2000), far below a heap. */
    public static final int DEFAULT_MAX_REFS = 100_000;
    /** About 100 bytes per advertised ref: {@value #DEFAULT_MAX_REFS} refs with room for capabilities. */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;

    /**
     * How to reach one server.
     *
     * @param authorization the {@code Authorization} header's value, or null to send none
     * @param trust the TLS trust managers ({@code http.ca-file}), null for the JDK's own; verification is never off
     * @param readTimeout the longest silence of the server
     * @param timeout the most one call may take, connection to last byte (within one read timeout)
     */
    public record Settings(
            String authorization,
            TrustManager[] trust,
            Duration connectTimeout,
            Duration readTimeout,
            Duration timeout,
            int maxRefs,
            long maxBytes) {
        public Settings(String authorization, TrustManager[] trust, Duration connectTimeout, Duration readTimeout) {
            this(authorization, trust, connectTimeout, readTimeout, readTimeout, DEFAULT_MAX_REFS, DEFAULT_MAX_BYTES);
        }

        public Settings withTimeout(Duration timeout) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes);
        }

        public Settings withLimits(int maxRefs, long maxBytes) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes);
        }
    }

    /** JGit must not ask anyone for credentials: a 401 is an answer, not a prompt. */
    private static final CredentialsProvider NO_CREDENTIALS = new CredentialsProvider() {
        @Override
        public boolean isInteractive() {
            return false;
        }

        @Override
        public boolean supports(CredentialItem... items) {
            return false;
        }

        @Override
        public boolean get(URIish uri, CredentialItem... items) {
            return false;
        }
    };

    private final String serverName;
    private final Settings settings;
    /** Made once, so that the JDK's keep-alive cache can hand a connection to the next call ({@link GuardedHttp}). */
    private SSLSocketFactory tls;

    /** @param serverName how messages name the server ({@code primary}, {@code mirror-1}) */
    public LsRemote(String serverName, Settings settings) {
        this.serverName = serverName;
        this.settings = settings;
    }

    /**
     * The refs {@code repositoryUrl} advertises.
     *
     * @throws LsRemoteException refused, not found, too large, out of time or otherwise failed; the message names
     *     the server and the URL, secrets masked
     */
    public AdvertisedRefs list(String repositoryUrl) throws LsRemoteException {
        SecretMasker masker = SecretMasker.forRequest(repositoryUrl, settings.authorization());
        String shown = serverName + ": ls-remote " + masker.url(repositoryUrl);
        long startNanos = System.nanoTime();
        SSLSocketFactory shared;
        try {
            shared = tls();
        } catch (GeneralSecurityException e) {
            throw new LsRemoteException(Reason.FAILED, shown + ": TLS set-up failed: " + e.getMessage(), e);
        }
        GuardedHttp http = new GuardedHttp(
                shared,
                settings.connectTimeout().toMillis(),
                settings.readTimeout().toMillis(),
                settings.maxBytes(),
                startNanos + settings.timeout().toNanos());
        URIish uri;
        try {
            uri = new URIish(repositoryUrl);
        } catch (URISyntaxException e) {
            throw new LsRemoteException(Reason.FAILED, shown + ": not a Git URL: " + masker.text(e.getMessage()), null);
        }
        try (Transport transport = Transport.open(uri)) {
            transport.setCredentialsProvider(NO_CREDENTIALS);
            // Whole seconds, for the transports that are not HTTP; HTTP keeps GuardedHttp's milliseconds.
            transport.setTimeout((int) Math.max(1, settings.readTimeout().toSeconds()));
            if (transport instanceof TransportHttp overHttp) {
                overHttp.setHttpConnectionFactory(http);
                if (settings.authorization() != null) {
                    overHttp.setAdditionalHeaders(Map.of("Authorization", settings.authorization()));
                }
            }
            try (FetchConnection connection = transport.openFetch()) {
                return refsOf(connection, shown, http);
            }
        } catch (NoRemoteRepositoryException e) {
            throw new LsRemoteException(
                    Reason.NOT_FOUND,
                    shown + ": no such repository on the server"
                            + (http.lastStatus() > 0 ? " (HTTP " + http.lastStatus() + ")" : ""),
                    masker.throwable(e));
        } catch (TransportException | NotSupportedException | RuntimeException e) {
            throw failure(e, http, shown, masker, startNanos);
        }
    }

    /** The server's TLS from {@code trust}, made on first use; null for the JDK's own. */
    private synchronized SSLSocketFactory tls() throws GeneralSecurityException {
        if (settings.trust() == null) {
            return null;
        }
        SSLSocketFactory made = tls;
        if (made == null) {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, settings.trust(), null);
            made = context.getSocketFactory();
            tls = made;
        }
        return made;
    }

    private AdvertisedRefs refsOf(FetchConnection connection, String shown, GuardedHttp http) throws LsRemoteException {
        Map<String, Ref> advertised = connection.getRefsMap();
        TreeMap<String, String> refs = new TreeMap<>();
        String head = null;
        for (Ref ref : advertised.values()) {
            if (ref.getName().equals(Constants.HEAD)) {
                head = ref.isSymbolic() ? ref.getTarget().getName() : null;
                continue;
            }
            ObjectId id = ref.getObjectId();
            if (id != null) {
                refs.put(ref.getName(), id.name());
            }
        }
        if (refs.size() > settings.maxRefs()) {
            throw new LsRemoteException(
                    Reason.TOO_LARGE,
                    shown + ": advertised " + Units.count(refs.size(), "ref", "refs") + ", more than the "
                            + settings.maxRefs() + " allowed",
                    null);
        }
        return new AdvertisedRefs(refs, head, http.bytesRead());
    }

    private LsRemoteException failure(
            Exception e, GuardedHttp http, String shown, SecretMasker masker, long startNanos) {
        Throwable masked = masker.throwable(e);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (causedBy(e, GuardedHttp.TooLarge.class) != null) {
            return new LsRemoteException(
                    Reason.TOO_LARGE,
                    shown + ": " + causedBy(e, GuardedHttp.TooLarge.class).getMessage(),
                    masked);
        }
        if (causedBy(e, GuardedHttp.OutOfTime.class) != null
                || causedBy(e, java.net.SocketTimeoutException.class) != null) {
            return new LsRemoteException(
                    Reason.TIMED_OUT,
                    shown + ": no answer within " + Units.millis(tookMs) + " (timeout "
                            + Units.duration(settings.timeout()) + ", read timeout "
                            + Units.duration(settings.readTimeout()) + ")",
                    masked);
        }
        if (causedBy(e, GuardedHttp.Redirected.class) != null) {
            return new LsRemoteException(
                    Reason.FAILED,
                    shown + ": "
                            + masker.text(
                                    causedBy(e, GuardedHttp.Redirected.class).getMessage()),
                    masked);
        }
        int status = http.lastStatus();
        if (status == 401 || status == 403) {
            return new LsRemoteException(
                    Reason.REFUSED,
                    shown + ": refused (HTTP " + status + "): "
                            + (settings.authorization() == null
                                    ? "the server wants credentials: set this server's auth"
                                    : "check this server's credentials and that they may read the repository"),
                    masked);
        }
        if (status == 404) {
            return new LsRemoteException(Reason.NOT_FOUND, shown + ": no such repository (HTTP 404)", masked);
        }
        return new LsRemoteException(
                Reason.FAILED,
                shown + ": failed" + (status > 0 ? " (last answer HTTP " + status + ")" : "") + ": "
                        + masker.text(String.valueOf(e.getMessage())),
                masked);
    }

    private static <T extends Throwable> T causedBy(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}

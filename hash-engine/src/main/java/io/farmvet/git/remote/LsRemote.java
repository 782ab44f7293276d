package io.farmvet.git.remote;

import io.farmvet.git.Names;
import io.farmvet.git.remote.LsRemoteException.Reason;
import io.farmvet.secret.SecretMasker;
import io.farmvet.util.Units;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.RemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;

/**
 * {@code git ls-remote} in process, through JGit's transports: the refs one server advertises for one repository
 * ({@link AdvertisedRefs}). JGit speaks protocol v2 ({@code ls-refs}) where the server offers it and v0 otherwise;
 * either way the answer is the same. Over HTTP(S) the {@code Authorization} header goes with the first request,
 * since forges rate-limit anonymous ones and a 401 round trip doubles the requests; trust, timeouts and bounds
 * are farmvet's ({@link GuardedHttp}). git:// goes through farmvet's own bounded socket
 * ({@link GitDaemonTransport}); ssh:// through JGit's Apache MINA sshd client with one key and one known_hosts file
 * ({@link GuardedSsh}, {@link SshIdentity}). Every transport reads within one {@link ReadBudget}: the byte bound,
 * and the call's time. No other scheme is listed (a {@code file://} URL would read the local disk).
 *
 * <p>One instance per server, holding its settings; {@link #list} may be called from many threads at once, each
 * call on its own connection.
 */
public final class LsRemote {
    /** Far above a busy repository's heads and tags (the Linux kernel advertises under 2000), far below a heap. */
    public static final int DEFAULT_MAX_REFS = 100_000;
    /** About 100 bytes per advertised ref: {@value #DEFAULT_MAX_REFS} refs with room for capabilities. */
    public static final long DEFAULT_MAX_BYTES = 16L << 20;

    private static final int SSH_PORT = 22;
    /** What {@code git daemon --informative-errors} answers for a path it does not have (daemon.c). */
    private static final String DAEMON_NO_SUCH_REPOSITORY = "no such repository";
    /** What it answers for a repository it does not export, and without that flag for a missing one too. */
    private static final String DAEMON_NOT_EXPORTED = "not exported";

    /**
     * How to reach one server.
     *
     * @param authorization the {@code Authorization} header's value, or null to send none
     * @param trust the TLS trust managers ({@code http.ca-file}), null for the JDK's own; verification is never off
     * @param readTimeout the longest silence of the server
     * @param timeout the most one call may take, connection to last byte (within one read timeout)
     * @param ssh the key and known_hosts file for ssh:// URLs, null for the other transports
     */
    public record Settings(
            String authorization,
            TrustManager[] trust,
            Duration connectTimeout,
            Duration readTimeout,
            Duration timeout,
            int maxRefs,
            long maxBytes,
            SshIdentity ssh) {
        public Settings(String authorization, TrustManager[] trust, Duration connectTimeout, Duration readTimeout) {
            this(
                    authorization,
                    trust,
                    connectTimeout,
                    readTimeout,
                    readTimeout,
                    DEFAULT_MAX_REFS,
                    DEFAULT_MAX_BYTES,
                    null);
        }

        public Settings withTimeout(Duration timeout) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes, ssh);
        }

        /** The read timeout and the call's timeout together, as the explain step shortens both to its time left. */
        public Settings withTimeouts(Duration readTimeout, Duration timeout) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes, ssh);
        }

        public Settings withLimits(int maxRefs, long maxBytes) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes, ssh);
        }

        public Settings withSsh(SshIdentity ssh) {
            return new Settings(authorization, trust, connectTimeout, readTimeout, timeout, maxRefs, maxBytes, ssh);
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
        String sshUser = sshUser(repositoryUrl);
        // An ssh:// user name is who logs in, not a secret (the key is): masked, "git" would hide every ".git".
        SecretMasker masker = sshUser == null
                ? SecretMasker.forRequest(repositoryUrl, settings.authorization())
                : SecretMasker.forRequest(repositoryUrl.replace(sshUser + "@", ""), settings.authorization());
        String shown = serverName + ": ls-remote " + (sshUser == null ? masker.url(repositoryUrl) : repositoryUrl);
        long startNanos = System.nanoTime();
        ReadBudget budget = new ReadBudget(
                settings.maxBytes(), startNanos + settings.timeout().toNanos());
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
                budget);
        URIish uri;
        try {
            uri = new URIish(repositoryUrl);
        } catch (URISyntaxException e) {
            throw new LsRemoteException(Reason.FAILED, shown + ": not a Git URL: " + masker.text(e.getMessage()), null);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        GuardedSsh ssh = scheme.equals("ssh") ? ssh(uri, budget, shown) : null;
        try (Transport transport = open(uri, scheme, budget, shown)) {
            transport.setCredentialsProvider(NO_CREDENTIALS);
            if (transport instanceof TransportHttp overHttp) {
                overHttp.setHttpConnectionFactory(http);
                if (settings.authorization() != null) {
                    overHttp.setAdditionalHeaders(Map.of("Authorization", settings.authorization()));
                }
            } else if (transport instanceof SshTransport overSsh) {
                // Whole seconds, for JGit's session set-up and its reads; the budget holds the call's own time.
                overSsh.setTimeout((int) Math.max(
                        1,
                        Math.min(
                                settings.readTimeout().toSeconds(),
                                settings.timeout().toSeconds())));
                overSsh.setSshSessionFactory(ssh);
            }
            try (FetchConnection connection = transport.openFetch()) {
                return refsOf(connection, shown, budget.bytesRead());
            }
        } catch (NoRemoteRepositoryException e) {
            throw new LsRemoteException(
                    Reason.NOT_FOUND,
                    shown + ": no such repository on the server"
                            + (http.lastStatus() > 0 ? " (HTTP " + http.lastStatus() + ")" : ""),
                    masker.throwable(e));
        } catch (TransportException | NotSupportedException | RuntimeException e) {
            throw failure(e, http, ssh, shown, masker, startNanos);
        } finally {
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    /** The user name of an {@code ssh://user@host/...} URL without a password, or null. */
    private static String sshUser(String url) {
        if (!url.regionMatches(true, 0, "ssh://", 0, 6)) {
            return null;
        }
        int at = url.indexOf('@');
        int slash = url.indexOf('/', 6);
        if (at < 0 || (slash >= 0 && at > slash)) {
            return null;
        }
        String user = url.substring(6, at);
        return user.isEmpty() || user.contains(":") ? null : user;
    }

    /** The transport for the URL's scheme: JGit's HTTP and ssh, farmvet's git://, nothing else. */
    private Transport open(URIish uri, String scheme, ReadBudget budget, String shown)
            throws LsRemoteException, NotSupportedException, TransportException {
        return switch (scheme) {
            case "http", "https", "ssh" -> Transport.open(uri);
            case "git" ->
                new GitDaemonTransport(
                        uri,
                        settings.connectTimeout().toMillis(),
                        settings.readTimeout().toMillis(),
                        budget);
            default ->
                throw new LsRemoteException(
                        Reason.FAILED,
                        shown + ": farmvet lists refs over https://, http://, ssh:// and git:// only, not "
                                + (scheme.isEmpty() ? "a local path" : scheme + "://"),
                        null);
        };
    }

    private GuardedSsh ssh(URIish uri, ReadBudget budget, String shown) throws LsRemoteException {
        SshIdentity identity = settings.ssh();
        if (identity == null) {
            throw new LsRemoteException(
                    Reason.FAILED,
                    shown + ": an ssh:// URL needs this server's auth.ssh (key-file and known-hosts-file)",
                    null);
        }
        try {
            int port = uri.getPort() > 0 ? uri.getPort() : SSH_PORT;
            return new GuardedSsh(
                    identity,
                    identity.keyPair(),
                    new StrictKnownHosts(identity.knownHostsFile(), identity.knownHosts(), uri.getHost(), port),
                    budget);
        } catch (SshIdentity.Unusable e) {
            throw new LsRemoteException(Reason.FAILED, shown + ": " + e.getMessage(), e);
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

    private AdvertisedRefs refsOf(FetchConnection connection, String shown, long bytes) throws LsRemoteException {
        Map<String, Ref> advertised = connection.getRefsMap();
        TreeMap<String, String> refs = new TreeMap<>();
        String head = null;
        for (Ref ref : advertised.values()) {
            if (ref.getName().equals(Constants.HEAD)) {
                head = head(ref);
                continue;
            }
            if (!Repository.isValidRefName(ref.getName())) {
                // git itself neither creates nor advertises such a name; hashing it could make two different
                // listings look alike (a name with a newline is two lines of the content hash's input).
                throw new LsRemoteException(
                        Reason.FAILED,
                        shown + ": the server advertised a ref name git rejects (" + Names.escape(ref.getName())
                                + "); not a Git server farmvet can vet: fix or remove that ref on the server",
                        null);
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
        return new AdvertisedRefs(refs, head, bytes);
    }

    /**
     * What the agent's metadata hash takes for {@code HEAD}: the branch a symbolic one points to, the object id of a
     * detached one (both protocols advertise {@code HEAD} with its id, and a symref only when it is symbolic).
     */
    private static String head(Ref ref) {
        if (ref.isSymbolic()) {
            return ref.getTarget().getName();
        }
        ObjectId id = ref.getObjectId();
        return id == null ? null : id.name();
    }

    private LsRemoteException failure(
            Exception e, GuardedHttp http, GuardedSsh ssh, String shown, SecretMasker masker, long startNanos) {
        Throwable masked = masker.throwable(e);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (ssh != null && ssh.hostKeyRefusal() != null) {
            return new LsRemoteException(Reason.FAILED, shown + ": " + ssh.hostKeyRefusal(), masked);
        }
        RemoteRepositoryException answered = causedBy(e, RemoteRepositoryException.class);
        if (answered != null && answered.getMessage().contains(DAEMON_NO_SUCH_REPOSITORY)) {
            return new LsRemoteException(Reason.NOT_FOUND, shown + ": no such repository on the server", masked);
        }
        if (answered != null && answered.getMessage().contains(DAEMON_NOT_EXPORTED)) {
            // Without --informative-errors git daemon says this of a repository it lacks and of one it does not
            // export alike: calling it missing could be wrong, so it is a refusal (a note, or a failed node).
            return new LsRemoteException(
                    Reason.REFUSED,
                    shown + ": refused: the daemon says \"" + masker.text(answered.getMessage())
                            + "\"; it does not tell a missing repository from one it does not export: start git"
                            + " daemon with --informative-errors so that missing repositories are told apart, and"
                            + " export the others (--export-all or git-daemon-export-ok)",
                    masked);
        }
        if (causedBy(e, ReadBudget.TooLarge.class) != null) {
            return new LsRemoteException(
                    Reason.TOO_LARGE,
                    shown + ": " + causedBy(e, ReadBudget.TooLarge.class).getMessage(),
                    masked);
        }
        SshException login = causedBy(e, SshException.class);
        if (login != null && login.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
            return new LsRemoteException(
                    Reason.REFUSED,
                    shown + ": refused: the server did not accept the key "
                            + settings.ssh().keyFile()
                            + " for the URL's user; add its public key (ssh-keygen -y -f "
                            + settings.ssh().keyFile() + ") to that account on the server, or fix the user in the URL",
                    masked);
        }
        // SocketTimeoutException, and JGit's "Read timed out" of its timeout streams (ssh): both interrupted I/O.
        if (causedBy(e, ReadBudget.OutOfTime.class) != null
                || causedBy(e, java.io.InterruptedIOException.class) != null) {
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

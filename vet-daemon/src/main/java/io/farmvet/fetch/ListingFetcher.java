package io.farmvet.fetch;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.manifest.ManifestSource;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingReader;
import io.farmvet.secret.SecretMasker;
import java.io.Closeable;
import java.io.IOException;
import java.security.GeneralSecurityException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches repo-hashes listings over HTTP(S) with one streaming GET per server, parsing the body as it arrives.
 *
 * <p>A fetch is two steps so that a vet can open every server's request at once (each server starts producing
 * its listing, and a refused connection or a 401 shows at once) yet parse a node only once the primary's table
 * is complete: {@link ListingRequest#send} sends the request and checks the answer's head,
 * {@link ListingRequest#read} streams the body into a handler. Until then TCP flow control holds the node's stream.
 *
 * <p>Redirects are not followed: they would carry the credentials to another host. One retry only, of a GET
 * the server closed the connection on without answering ({@link UnansweredGetRetry}); nothing else is retried,
 * least of all a body read: a vet is cheap to run again, a half-repeated stream is not.
 *
 * <p>Bodies are asked for in gzip ({@value #ACCEPT_ENCODING}) and decoded by {@link ListingRequest}, not by
 * HttpClient's content decompression (disabled): that one also asks for and accepts deflate and passes unknown
 * codings through undecoded, where farmvet wants one coding, refused by name otherwise. Thread-safe.
 */
public final class ListingFetcher implements Closeable {
    static final String USER_AGENT = "farmvet/0.1";
    /** Listings compress several times over (issue 14), and a proxy may compress on its own: say what we read. */
    static final String ACCEPT_ENCODING = "gzip";

    private final CloseableHttpClient client;
    private final ListingReader reader;
    private final FarmvetConfig.Http http;
    private final ManifestReader manifestReader = new ManifestReader();

    public ListingFetcher(FarmvetConfig.Http http, ListingReader reader, int maxConnections)
            throws GeneralSecurityException, IOException {
        this.reader = reader;
        this.http = http;
        Timeout connect = Timeout.of(http.connectTimeout());
        Timeout silence = Timeout.of(http.readTimeout());
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(TlsTrust.context(http.caFile())))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(connect)
                                .setSocketTimeout(silence)
                                .build())
                        // Two per server: its listing, and one small REST call beside it (names, farmNodes,
                        // sync diagnostics), so that neither waits for the other's connection (issue 12).
                        .setMaxConnTotal(2 * Math.max(2, maxConnections))
                        .setMaxConnPerRoute(2 * Math.max(2, maxConnections))
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(silence)
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .setRetryStrategy(new UnansweredGetRetry())
                .disableCookieManagement()
                .disableContentCompression()
                .setUserAgent(USER_AGENT)
                .build();
    }

    /**
     * Prepares the GET for {@code kind} to {@code server}; nothing is sent before {@link ListingRequest#send}.
     *
     * @param configPath where the server is in the config ({@code primary}, {@code nodes[2]}), for hints
     */
    public ListingRequest prepare(
            FarmvetConfig.Server server, String configPath, ListingKind kind, ServerProgress progress) {
        String url = server.url() + "/" + kind.path();
        String authorization = server.auth().authorizationHeader();
        HttpGet get = get(url, authorization);
        FetchFailure failure = new FetchFailure(
                server.name(),
                url,
                configPath,
                SecretMasker.forRequest(url, authorization),
                progress,
                http.connectTimeout(),
                http.readTimeout());
        return new ListingRequest(client, get, reader, kind, failure, progress);
    }

    /**
     * Prepares {@code server}'s listing whatever its kind: the GET of {@link #prepare(FarmvetConfig.Server, String,
     * ListingKind, ServerProgress)}; for a {@code manifest-url} its grokmirror manifest ({@link GrokmirrorListing});
     * for kind {@code git} the listing farmvet builds over the Git protocol of {@code repositories} ({@link
     * GitListing}); both always the full listing. When {@code repositories} could not be had, the primary's listing
     * fails with the reason.
     *
     * @param repositories the vet's ls-remote repositories ({@link GitRepositories#resolve}), shared by its servers
     */
    public ListingSource prepare(
            FarmvetConfig.Server server,
            String configPath,
            ListingKind kind,
            FarmvetConfig.Git git,
            GitRepositories repositories,
            ServerProgress progress) {
        if (repositories.error() != null && configPath.equals(FarmvetConfig.PRIMARY_NAME)) {
            return repositories.failedPrimary(progress);
        }
        if (server.isManifest()) {
            return new GrokmirrorListing(
                    server, configPath, ManifestSource.of(this, server, server.manifest()), manifestReader, progress);
        }
        return server.isGit()
                ? new GitListing(server, configPath, git, repositories.paths(), http, progress)
                : prepare(server, configPath, kind, progress);
    }

    /**
     * Prepares a GET of {@code pathAndQuery} (no leading slash) on {@code server}'s REST API, with its credentials:
     * for the small paged answers read beside the listings ({@link io.farmvet.names.PrimaryRepos}).
     */
    public JsonGet jsonGet(FarmvetConfig.Server server, String pathAndQuery) {
        return jsonGet(server, java.net.URI.create(server.url() + "/" + pathAndQuery));
    }

    /**
     * As {@link #jsonGet(FarmvetConfig.Server, String)}, of a whole URL that need not be below the server's {@code
     * url} (a grokmirror {@code manifest-url}), still with the server's credentials.
     */
    public JsonGet jsonGet(FarmvetConfig.Server server, java.net.URI url) {
        String authorization = server.auth().authorizationHeader();
        HttpGet get = get(url.toString(), authorization);
        return new JsonGet(
                client, get, url.toString(), server.name(), SecretMasker.forRequest(url.toString(), authorization));
    }

    /** {@code url} as messages quote it for {@code server}: its credentials masked. */
    public String masked(FarmvetConfig.Server server, String url) {
        return SecretMasker.forRequest(url, server.auth().authorizationHeader()).url(url);
    }

    /**
     * Prepares {@code GET {url}/status}, which tells what state the server is in: the {@code state} field of its
     * JSON answer, whatever the HTTP status (a starting Bitbucket answers 503 with {@code STARTING}). No
     * credentials are sent: the endpoint is public on Bitbucket and on farmvet's agent.
     */
    public NodeStatusProbe statusProbe(FarmvetConfig.Server server) {
        return new NodeStatusProbe(client, server.url() + "/status");
    }

    /**
     * Prepares {@code GET {url}/}{@value FarmNodesProbe#PATH} with the server's credentials: its farm's members.
     *
     * @param configPath where the server is in the config ({@code nodes[2]}), for hints
     */
    public FarmNodesProbe farmNodesProbe(FarmvetConfig.Server server, String configPath) {
        return new FarmNodesProbe(
                client,
                server.name(),
                configPath,
                server.url() + "/" + FarmNodesProbe.PATH,
                server.auth().authorizationHeader());
    }

    /**
     * As {@link #farmNodesProbe(FarmvetConfig.Server, String)}, for a server that is not in a config (a mirror the
     * primary lists, for {@code farmvet discover}).
     *
     * @param credentials whose account a 401 or 403 names ("the account of --token-file")
     * @param consequence what follows without the list, ending each note
     */
    public FarmNodesProbe farmNodesProbe(FarmvetConfig.Server server, String credentials, String consequence) {
        return new FarmNodesProbe(
                client,
                server.name(),
                credentials,
                server.url() + "/" + FarmNodesProbe.PATH,
                server.auth().authorizationHeader(),
                consequence);
    }

    /** Every GET farmvet sends a server: JSON asked for, gzip accepted, the server's own credentials. */
    static HttpGet get(String url, String authorization) {
        HttpGet get = new HttpGet(url);
        get.setHeader(HttpHeaders.ACCEPT, "application/json");
        get.setHeader(HttpHeaders.ACCEPT_ENCODING, ACCEPT_ENCODING);
        if (authorization != null) {
            get.setHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return get;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}

package io.farmvet.config;

import io.farmvet.compare.Scope;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration: one immutable value, validated by {@link ConfigLoader} before anything runs.
 * Defaults are the named constants below; see {@code deploy/farmvet.example.yaml} for every key.
 *
 * @param source the file it was loaded from (relative paths inside it are resolved against its folder)
 */
public record FarmvetConfig(
        Farm farm,
        Server primary,
        List<Server> nodes,
        Http http,
        Listing listing,
        Vet vet,
        Repair repair,
        RestServer server,
        State state,
        History history,
        Path source,
        Explain explain,
        Git git) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_VET_DEADLINE = Duration.ofMinutes(10);

    /** Upper bound for each http timeout: a server silent for an hour is down, not slow. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** Upper bound for vet.deadline: a vet that needs more than a day cannot run daily. */
    public static final Duration MAX_VET_DEADLINE = Duration.ofHours(24);

    // ---- the daemon (farmvet run): vet.schedule, server.*, state.*, history.* ----

    /** Every 15 minutes, on the quarter hour (Quartz cron: seconds minutes hours day-of-month month day-of-week). */
    public static final String DEFAULT_SCHEDULE = "0 */15 * * * ?";
    /** Loopback only: the REST API is plain HTTP, so exposing it takes a deliberate choice (and a TLS proxy). */
    public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";

    public static final int DEFAULT_LISTEN_PORT = 8787;
    /**
     * {@code vet.webhook-debounce}: a farm syncing a push sends one {@code mirror:repo_synchronized} per repository
     * within seconds; 30 s gathers such a burst into one vet and still verifies a repair long before the next tick.
     */
    public static final Duration DEFAULT_WEBHOOK_DEBOUNCE = Duration.ofSeconds(30);
    /** Upper bound for vet.webhook-debounce: beyond an hour the schedule's next tick comes sooner anyway. */
    public static final Duration MAX_WEBHOOK_DEBOUNCE = Duration.ofHours(1);
    /** Resolved against the config file's folder, like every relative path in it. */
    public static final String DEFAULT_STATE_DIR = "farmvet-state";

    public static final int DEFAULT_KEEP_SUCCESSES = 100;
    /** Failures are what an operator comes back to read, days later: keep them five times longer. */
    public static final int DEFAULT_KEEP_FAILURES = 500;
    /**
     * What the stored (gzipped) reports may take together, {@code history.max-bytes}: issue 11's daemon on a
     * 100k-repository farm grew its state file to 112 MB and on; 64 MiB holds about a hundred of that farm's
     * reports compressed, and a small farm's thousands.
     */
    public static final long DEFAULT_HISTORY_MAX_BYTES = 64L << 20;
    /** Upper bound for history.keep-*: each run holds its whole report, and a big farm's report is megabytes. */
    public static final int MAX_KEEP = 100_000;
    /** A REST API token shorter than this is guessable; 32 random hex characters are easy to make. */
    public static final int MIN_API_TOKEN_CHARS = 16;

    /** The name of the primary {@link Server}; no node may take it. */
    public static final String PRIMARY_NAME = "primary";

    public FarmvetConfig {
        nodes = List.copyOf(nodes);
        explain = explain == null ? Explain.DEFAULTS : explain;
        git = git == null ? Git.DEFAULTS : git;
    }

    /**
     * {@code explain}: how much of the drift a vet explains after its verdicts (issue 12): why each drifted
     * repository is behind (the node's sync status) and, for a {@code content} drift, which refs differ.
     *
     * @param maxRepositories how many inconsistencies per vet are explained, in the order found; 0 explains none
     * @param delayThreshold how long a repository must have been behind for Bitbucket's delayed-sync list
     */
    public record Explain(int maxRepositories, Duration delayThreshold) {
        /**
         * A few small GETs and two ls-remotes per repository: 50 is what a person reads at 3 a.m. (the text report
         * lists 50 per node too), and keeps a mass divergence from turning into thousands of calls to an already
         * struggling node.
         */
        public static final int DEFAULT_MAX_REPOSITORIES = 50;
        /** Upper bound for explain.max-repositories: beyond this the report is for a program, not a person. */
        public static final int MAX_MAX_REPOSITORIES = 10_000;
        /** A repository behind for a quarter of an hour is worth a look; one behind by seconds is still syncing. */
        public static final Duration DEFAULT_DELAY_THRESHOLD = Duration.ofMinutes(15);

        public static final Duration MAX_DELAY_THRESHOLD = Duration.ofDays(7);
        public static final Explain DEFAULTS = new Explain(DEFAULT_MAX_REPOSITORIES, DEFAULT_DELAY_THRESHOLD);
    }

    /** This config with {@code repair.dry-run} on: every repair is planned and reported, none is sent. */
    public FarmvetConfig withDryRun() {
        return new FarmvetConfig(
                farm,
                primary,
                nodes,
                http,
                listing,
                vet,
                new Repair(repair.settings().withDryRun(true), repair.auditLog()),
                server,
                state,
                history,
                source,
                explain,
                git);
    }

    /**
     * {@code farm}: the farm's name (a label in reports, logs and metrics) and its scope.
     *
     * @param mirrorServerId the id of the farm's mirror server on the primary ({@code farm.mirror-server-id}, as
     *     {@code mirrorServers} lists it and {@code farmvet discover} writes it): the webhooks of this mirror are
     *     the farm's; null to know them by a mirror name equal to {@code name}
     */
    public record Farm(String name, Scope scope, String mirrorServerId) {
        public Farm(String name, Scope scope) {
            this(name, scope, null);
        }

        /** Whether a webhook sent for mirror {@code mirrorId} named {@code mirrorName} is this farm's. */
        public boolean isMirror(String mirrorId, String mirrorName) {
            return mirrorServerId != null ? mirrorServerId.equals(mirrorId) : name.equalsIgnoreCase(mirrorName);
        }
    }

    /**
     * {@code primary} or one of {@code nodes}: the primary is named {@code primary}.
     *
     * @param member the node's name in its farm's {@code farmNodes} list ({@code nodes[i].member}), null to match
     *     by {@code name}
     * @param kind what serves its listing ({@code kind})
     * @param gitUrl for {@link Kind#GIT}: the repositories' URL with {@value #PROJECT} and {@value #REPO} (or
     *     {@value #PATH}) to fill in; then {@code url} is only the server's {@code scheme://host:port}; null for the
     *     other kinds, and for a {@code manifest-url} server given no {@code url}
     * @param manifest for a {@link Kind#GIT} server listed from its grokmirror manifest ({@code manifest-url}): an
     *     http(s) URL, or an absolute file path; null when it is listed by ls-remote. Such a server without a
     *     {@code url} has {@code url} set to the manifest's {@code scheme://host:port} (a {@code file:} URI for a file)
     */
    public record Server(String name, URI url, Auth auth, String member, Kind kind, String gitUrl, String manifest) {
        public static final String PROJECT = "{project}";
        public static final String REPO = "{repo}";
        /** The repository's path as a grokmirror manifest keys it, without the leading {@code /}: {@code a/b.git}. */
        public static final String PATH = "{path}";

        /** {@code kind}: who builds the server's listing. */
        public enum Kind {
            /** Bitbucket's own {@code repo-hashes} (the default). */
            BITBUCKET,
            /** farmvet's agent, which serves the same listing with names. */
            AGENT,
            /** Any Git server: farmvet builds the listing itself over the Git protocol. */
            GIT
        }

        public Server {
            kind = kind == null ? Kind.BITBUCKET : kind;
        }

        public Server(String name, URI url, Auth auth) {
            this(name, url, auth, null);
        }

        /** A server listed by repo-hashes or ls-remote, not by a manifest. */
        public Server(String name, URI url, Auth auth, String member, Kind kind, String gitUrl) {
            this(name, url, auth, member, kind, gitUrl, null);
        }

        public Server(String name, URI url, Auth auth, String member) {
            this(name, url, auth, member, Kind.BITBUCKET, null);
        }

        /** The name to look for in the farm's member list: {@code member} when set, else {@code name}. */
        public String memberName() {
            return member != null ? member : name;
        }

        public boolean isGit() {
            return kind == Kind.GIT;
        }

        /** Whether the server's listing is its grokmirror manifest ({@code manifest-url}). */
        public boolean isManifest() {
            return manifest != null;
        }

        /**
         * The URL reports show: the repositories' URL template of a {@code git} server (the manifest's location when
         * it has none), else {@code url}.
         */
        public String shownUrl() {
            if (isGit()) {
                return gitUrl != null ? gitUrl : manifest;
            }
            return String.valueOf(url);
        }

        /**
         * The URL of one repository of a {@code git} server; {@value #PATH} is filled with the manifest path of the
         * name ({@link io.farmvet.grokmirror.ManifestPaths#path}), so a manifest's {@code pub%2Fscm%2Fgit/git} is
         * {@code pub/scm/git/git.git} again.
         */
        public String repositoryUrl(String projectKey, String slug) {
            String url = gitUrl.replace(PROJECT, projectKey).replace(REPO, slug);
            return url.contains(PATH)
                    ? url.replace(
                            PATH,
                            io.farmvet.grokmirror.ManifestPaths.path(projectKey, slug)
                                    .substring(1))
                    : url;
        }
    }

    /**
     * {@code git} and {@code repositories}: how servers of kind {@code git} are listed (issue 13).
     *
     * @param concurrency ls-remotes at once per server ({@code git.concurrency})
     * @param repositories the farm's repositories ({@code repositories.file}), empty when no server is kind git or
     *     they come from elsewhere
     * @param from where the ls-remote servers' repositories come from ({@code repositories.from}), resolved once per
     *     vet ({@link io.farmvet.fetch.GitRepositories})
     * @param manifest for {@link RepositoriesFrom#MANIFEST}: the manifest's http(s) URL (fetched with the primary's
     *     auth) or absolute path ({@code repositories.manifest}); else null
     * @param ratePerSecond ls-remotes started per second per server ({@code git.rate}), {@link #UNLIMITED_RATE}
     *     when only {@code concurrency} bounds them
     */
    public record Git(
            int concurrency,
            List<RepositoryPath> repositories,
            RepositoriesFrom from,
            String manifest,
            double ratePerSecond) {
        public static final int DEFAULT_CONCURRENCY = 8;
        /** Upper bound for git.concurrency: beyond this a server sees a denial of service, not a vet. */
        public static final int MAX_CONCURRENCY = 64;
        /** No git.rate: a server answers as fast as {@code concurrency} lets it, as {@code git fetch} jobs do. */
        public static final double UNLIMITED_RATE = Double.POSITIVE_INFINITY;

        public static final Git DEFAULTS = new Git(DEFAULT_CONCURRENCY, List.of(), UNLIMITED_RATE);

        public Git {
            repositories = List.copyOf(repositories);
            from = from == null ? RepositoriesFrom.FILE : from;
            if (!(ratePerSecond > 0)) {
                throw new IllegalArgumentException("git.rate: must be greater than 0, was " + ratePerSecond);
            }
        }

        public boolean rateLimited() {
            return ratePerSecond != UNLIMITED_RATE;
        }

        /** Repositories from {@code repositories.file}. */
        public Git(int concurrency, List<RepositoryPath> repositories, double ratePerSecond) {
            this(concurrency, repositories, RepositoriesFrom.FILE, null, ratePerSecond);
        }
    }

    /** {@code repositories.from}. */
    public enum RepositoriesFrom {
        /** {@code repositories.file}, read when the config loads. */
        FILE,
        /** The primary's {@code rest/mirroring/latest/repos}, read once per vet. */
        BITBUCKET,
        /** The keys of a grokmirror manifest ({@code repositories.manifest}), read once per vet. */
        MANIFEST
    }

    /** One line of {@code repositories.file}: {@code project/repo}. */
    public record RepositoryPath(String projectKey, String slug) {
        @Override
        public String toString() {
            return projectKey + "/" + slug;
        }
    }

    /**
     * {@code http}: timeouts and extra trust; TLS verification is always on.
     *
     * @param caFile absolute path of a PEM file of certificates trusted in addition to the JDK's, or null
     */
    public record Http(Duration connectTimeout, Duration readTimeout, Path caFile) {}

    /**
     * {@code listing}: bounds on what a server may send, and how much of the nodes' listings a vet may hold while
     * the primary's is still being read.
     *
     * @param readAheadBytes 0 to read no node before the primary's table is complete
     */
    public record Listing(ListingLimits limits, long readAheadBytes) {
        public static final long DEFAULT_READ_AHEAD = 64L << 20;

        public static final Listing DEFAULTS = new Listing(ListingLimits.DEFAULTS, DEFAULT_READ_AHEAD);
    }

    /**
     * {@code vet}: the whole-vet deadline, after which every fetch still running is cancelled, and the daemon's
     * schedule.
     *
     * @param schedule a Quartz cron expression, already validated
     */
    public record Vet(Duration deadline, String schedule, Duration webhookDebounce) {
        /** A vet section with the default schedule, for callers that only run one-shot vets. */
        public Vet(Duration deadline) {
            this(deadline, DEFAULT_SCHEDULE);
        }

        /** A vet section with the default {@code vet.webhook-debounce}. */
        public Vet(Duration deadline, String schedule) {
            this(deadline, schedule, DEFAULT_WEBHOOK_DEBOUNCE);
        }
    }

    /**
     * {@code server}: where the daemon's REST API and web page listen, the tokens they accept, and how they are
     * served.
     *
     * @param host a literal address or a host name, resolved when the daemon binds
     * @param port 0 picks a free port (for tests)
     * @param token the bearer token of {@code /api/v1/...} and {@code /-/reload}, and the web page's login; null
     *     when not set, which only {@code farmvet run} refuses
     * @param metricsToken the bearer token of {@code /metrics}, or null to serve it to anyone who can connect
     * @param webhookSecret the secret Bitbucket signs its webhooks with ({@code server.webhook-secret-file}); null
     *     turns {@code POST /api/v1/hooks/bitbucket} off (404)
     * @param publicUrl the address people and Bitbucket reach the daemon at ({@code server.public-url}), when it
     *     differs from the listen address (a proxy in front); null when not set
     * @param sessionTtl how long a web page login lasts ({@code server.session-ttl})
     * @param tls the certificate and key farmvet serves HTTPS with ({@code server.tls}); null serves plain HTTP
     */
    public record RestServer(
            String host,
            int port,
            Secret token,
            Secret metricsToken,
            Secret webhookSecret,
            URI publicUrl,
            Duration sessionTtl,
            Tls tls) {
        public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(12);

        public RestServer {
            sessionTtl = sessionTtl == null ? DEFAULT_SESSION_TTL : sessionTtl;
        }

        /** A server section without webhooks. */
        public RestServer(String host, int port, Secret token, Secret metricsToken) {
            this(host, port, token, metricsToken, null);
        }

        /** A plain-HTTP server section with the default session length. */
        public RestServer(String host, int port, Secret token, Secret metricsToken, Secret webhookSecret) {
            this(host, port, token, metricsToken, webhookSecret, null, null, null);
        }

        /** {@code host:port}, with an IPv6 address in brackets. */
        public String listen() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        /**
         * Whether browsers reach the daemon over HTTPS (farmvet's own TLS, or a proxy's behind an https
         * public-url), so that cookies must be {@code Secure}.
         */
        public boolean https() {
            return tls != null || publicUrl != null && publicUrl.getScheme().equals("https");
        }
    }

    /**
     * {@code server.tls}: PEM files, absolute; re-read on reload.
     *
     * @param certFile the certificate chain, the server's own certificate first
     * @param keyFile its private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted
     */
    public record Tls(Path certFile, Path keyFile) {}

    /**
     * {@code state}: the folder of farmvet's embedded database and of its files (absolute), and the database that
     * holds the repair ledger, the run history and the webhook events: the H2 file under {@code dir}, or {@code
     * state.database} (PostgreSQL, shared by several instances: issue 14).
     */
    public record State(Path dir, io.farmvet.state.StateDatabase database) {
        /** The embedded default: H2 under {@code dir}. */
        public State(Path dir) {
            this(dir, io.farmvet.state.StateDatabase.h2(dir));
        }

        /** Whether several farmvet instances share this state (PostgreSQL), as a cluster. */
        public boolean clustered() {
            return database.isPostgresql();
        }
    }

    /**
     * {@code history}: how many runs of each kind the daemon keeps, failures ({@code incomplete}) separately, and
     * how many bytes their stored reports may take together.
     */
    public record History(int keepSuccesses, int keepFailures, long maxBytes) {}

    /** A copy that vets only {@code subset} of the nodes (a REST trigger naming some nodes). */
    public FarmvetConfig withNodes(List<Server> subset) {
        return new FarmvetConfig(
                farm, primary, subset, http, listing, vet, repair, server, state, history, source, explain, git);
    }

    /**
     * {@code repair}: what to do about confirmed drift, and its safety rules (see {@link RepairSettings}).
     *
     * @param auditLog the append-only JSON-lines record of every repair ({@code repair.audit-log})
     */
    public record Repair(RepairSettings settings, Path auditLog) {
        public RepairMode mode() {
            return settings.mode();
        }
    }
}

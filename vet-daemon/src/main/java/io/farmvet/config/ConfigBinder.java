package io.farmvet.config;

import static io.farmvet.config.ConfigValues.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.farmvet.compare.Scope;
import io.farmvet.config.ConfigValues.BadValue;
import io.farmvet.config.FarmvetConfig.Farm;
import io.farmvet.config.FarmvetConfig.History;
import io.farmvet.config.FarmvetConfig.Http;
import io.farmvet.config.FarmvetConfig.Listing;
import io.farmvet.config.FarmvetConfig.Repair;
import io.farmvet.config.FarmvetConfig.RestServer;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.config.FarmvetConfig.State;
import io.farmvet.config.FarmvetConfig.Tls;
import io.farmvet.config.FarmvetConfig.Vet;
import io.farmvet.git.remote.SshIdentity;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.audit.AuditLog;
import io.farmvet.repair.send.HttpTemplate;
import io.farmvet.state.StateDatabase;
import io.farmvet.util.Units;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a parsed YAML tree into a {@link FarmvetConfig}, collecting every problem instead of stopping at the
 * first. A key that is absent takes its default; a section that is absent or empty ({@code http:} with every
 * line commented out) counts as a section with no keys. One instance per load; not thread-safe.
 */
final class ConfigBinder {
    private static final Logger log = LoggerFactory.getLogger(ConfigBinder.class);

    private static final List<String> ROOT_KEYS = List.of(
            "farm",
            "primary",
            "nodes",
            "http",
            "listing",
            "vet",
            "repair",
            "server",
            "state",
            "history",
            "explain",
            "git",
            "repositories");
    private static final List<String> FARM_KEYS = List.of("name", "scope", "mirror-server-id");
    private static final List<String> PRIMARY_KEYS = List.of("url", "auth", "kind", "manifest-url");
    private static final List<String> NODE_KEYS = List.of("name", "url", "auth", "member", "kind", "manifest-url");
    private static final List<String> GIT_KEYS = List.of("concurrency", "rate");
    private static final List<String> REPOSITORIES_KEYS = List.of("from", "file", "manifest");
    private static final List<String> AUTH_KEYS = List.of("bearer-token-file", "basic", "ssh");
    private static final List<String> SSH_KEYS = List.of("key-file", "known-hosts-file");
    private static final List<String> BASIC_KEYS = List.of("username", "password-file");
    private static final List<String> HTTP_KEYS = List.of("connect-timeout", "read-timeout", "ca-file");
    private static final List<String> LISTING_KEYS = List.of("max-size", "read-ahead");
    private static final List<String> VET_KEYS = List.of("deadline", "schedule", "webhook-debounce");
    private static final List<String> REPAIR_KEYS = List.of(
            "mode",
            "dry-run",
            "settle",
            "max-fraction",
            "max-per-run",
            "concurrency",
            "rate",
            "retries",
            "backoff-initial",
            "backoff-max",
            "timeout",
            "verify-vets",
            "verify-after",
            "audit-log",
            "http",
            "confirm-per-repository-max");
    private static final List<String> REPAIR_HTTP_KEYS = List.of("method", "url", "body", "headers");
    /** Bounds that catch typos (a rate of 5000) without second-guessing a deliberate choice. */
    private static final int MAX_REPAIRS_PER_RUN = 100_000;

    private static final double MAX_RATE = 1000;
    private static final int MAX_RETRIES = 20;
    private static final Duration MAX_REPAIR_DURATION = Duration.ofHours(24);

    // The daemon's sections (farmvet run).
    private static final List<String> SERVER_KEYS = List.of(
            "listen", "token-file", "metrics-token-file", "webhook-secret-file", "public-url", "session-ttl", "tls");
    private static final List<String> TLS_KEYS = List.of("cert-file", "key-file");
    /** A login longer than a month outlives any reason to keep it; one shorter than a minute cannot be used. */
    private static final Duration MAX_SESSION_TTL = Duration.ofDays(31);

    private static final List<String> STATE_KEYS = List.of("dir", "database");
    private static final List<String> DATABASE_KEYS = List.of("url", "username", "password-file");
    private static final List<String> HISTORY_KEYS = List.of("keep-successes", "keep-failures", "max-bytes");

    private static final List<String> EXPLAIN_KEYS = List.of("max-repositories", "delay-threshold");

    /** What a server of kind git may be listed over (LsRemote's transports). */
    private static final List<String> GIT_SCHEMES = List.of("https", "http", "ssh", "git");
    /** {@code git@host:path}, as git and ssh take it: no scheme, so no URL. */
    private static final java.util.regex.Pattern SCP_FORM = java.util.regex.Pattern.compile("[^/:@]+@[^/:]+:");

    private static final String SCOPE_FORMS = "all, inferred or a list of project ids like [1, 7, 42]";

    private final Path source;
    private final Path baseDir;
    private final ConfigLoader.Check check;
    private final List<String> problems = new ArrayList<>();

    ConfigBinder(Path source, ConfigLoader.Check check) {
        this.source = source;
        this.baseDir = source.getParent() == null ? source.getRoot() : source.getParent();
        this.check = check;
    }

    /** Whether files the config names (secrets, the CA file) are read and checked, or only their paths. */
    private boolean readsFiles() {
        return check == ConfigLoader.Check.FULL;
    }

    FarmvetConfig bind(JsonNode root) throws ConfigException {
        if (!root.isObject()) {
            throw new ConfigException(
                    source,
                    List.of("must be a YAML mapping with the keys " + String.join(", ", ROOT_KEYS) + "; it holds "
                            + kind(root)));
        }
        ObjectNode top = section(root, "", ROOT_KEYS);
        Farm farm = farm(section(top.get("farm"), "farm", FARM_KEYS));
        Server primary =
                server(section(top.get("primary"), "primary", PRIMARY_KEYS), "primary", FarmvetConfig.PRIMARY_NAME);
        List<Server> nodes = nodes(top.get("nodes"), primary);
        Http http = http(section(top.get("http"), "http", HTTP_KEYS));
        Listing listing = listing(section(top.get("listing"), "listing", LISTING_KEYS));
        ObjectNode vetSection = section(top.get("vet"), "vet", VET_KEYS);
        Vet vet = vet(vetSection);
        State state = state(section(top.get("state"), "state", STATE_KEYS));
        Repair repair = repair(section(top.get("repair"), "repair", REPAIR_KEYS), state);
        RestServer server = server(section(top.get("server"), "server", SERVER_KEYS));
        History history = history(section(top.get("history"), "history", HISTORY_KEYS));
        FarmvetConfig.Explain explain = explain(section(top.get("explain"), "explain", EXPLAIN_KEYS));
        FarmvetConfig.Git git = git(top, primary, nodes, repair);
        if (http != null && vet != null && vet.deadline() != null) {
            checkWithinDeadline(http.connectTimeout(), "connect-timeout", top.get("http"), vet, top.get("vet"));
            checkWithinDeadline(http.readTimeout(), "read-timeout", top.get("http"), vet, top.get("vet"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new FarmvetConfig(
                farm, primary, nodes, http, listing, vet, repair, server, state, history, source, explain, git);
    }

    /**
     * {@code git} and {@code repositories} (issue 13): required with a server of kind {@code git}, refused
     * without one; {@code repair.mode: agent} cannot repair a {@code git} node.
     */
    private FarmvetConfig.Git git(ObjectNode top, Server primary, List<Server> nodes, Repair repair) {
        boolean gitGiven = given(top.get("git"));
        ObjectNode gitSection = section(top.get("git"), "git", GIT_KEYS);
        int concurrency = gitSection == null
                ? FarmvetConfig.Git.DEFAULT_CONCURRENCY
                : count(
                        gitSection,
                        "git",
                        "concurrency",
                        FarmvetConfig.Git.DEFAULT_CONCURRENCY,
                        FarmvetConfig.Git.MAX_CONCURRENCY);
        hashKinds(primary, nodes);
        Double rate = gitSection == null ? null : number(gitSection, "git", "rate", 0, MAX_RATE);
        double ratePerSecond = rate == null ? FarmvetConfig.Git.UNLIMITED_RATE : rate;
        List<String> gitServers = new ArrayList<>();
        boolean anyGit = primary != null && primary.isGit();
        if (primary != null && primary.isGit() && !primary.isManifest()) {
            gitServers.add("primary");
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).isGit()) {
                anyGit = true;
                if (!nodes.get(i).isManifest()) {
                    gitServers.add("nodes[" + i + "]");
                }
                if (repair != null && repair.mode() == RepairMode.AGENT) {
                    problem(
                            "repair.mode",
                            "is agent, but nodes[" + i + "] is of kind git: no agent runs there to fetch; repair it"
                                    + " through mode http (a request to whatever syncs it), or set mode none");
                }
            }
        }
        boolean repositoriesGiven = given(top.get("repositories"));
        ObjectNode repositories = section(top.get("repositories"), "repositories", REPOSITORIES_KEYS);
        if (gitServers.isEmpty()) {
            if (repositoriesGiven) {
                problem(
                        "repositories",
                        anyGit
                                ? "is only read for servers of kind git listed by ls-remote, and there is none (a"
                                        + " server with a manifest-url lists the repositories of its manifest);"
                                        + " remove it"
                                : "is only read for servers of kind git, and there is none; remove it");
            }
            if (gitGiven && !anyGit) {
                problem("git", "is only read for servers of kind git, and there is none; remove it");
            }
            return new FarmvetConfig.Git(concurrency, List.of(), ratePerSecond);
        }
        if (!repositoriesGiven || repositories == null) {
            problem(
                    "repositories",
                    "is required with a server of kind git (" + String.join(", ", gitServers)
                            + "): list the farm's repositories, e.g. {from: file, file: repos.txt}");
            return new FarmvetConfig.Git(concurrency, List.of(), ratePerSecond);
        }
        String from = text(repositories, "repositories", "from", true);
        if ("bitbucket".equals(from) || "manifest".equals(from)) {
            return resolvedPerVet(repositories, from, concurrency, ratePerSecond, primary);
        }
        if (from != null && !from.equals("file")) {
            problem("repositories.from", "must be file, bitbucket or manifest, got " + quote(from));
        }
        if (repositories.has("manifest")) {
            problem("repositories.manifest", "is only read with repositories.from: manifest; remove it");
        }
        String file = text(repositories, "repositories", "file", true);
        if (file == null || !readsFiles()) {
            return new FarmvetConfig.Git(concurrency, List.of(), ratePerSecond);
        }
        try {
            return new FarmvetConfig.Git(
                    concurrency, repositoryFile(ConfigFiles.resolve(baseDir, file)), ratePerSecond);
        } catch (BadValue e) {
            problem("repositories.file", e.getMessage());
            return new FarmvetConfig.Git(concurrency, List.of(), ratePerSecond);
        }
    }

    /**
     * {@code repositories.from: bitbucket | manifest}: the list is read once per vet, not here, so that a
     * repository created on the primary is vetted without a reload.
     */
    private FarmvetConfig.Git resolvedPerVet(
            ObjectNode repositories, String from, int concurrency, double ratePerSecond, Server primary) {
        if (repositories.has("file")) {
            problem("repositories.file", "is only read with repositories.from: file; remove it");
        }
        if (from.equals("bitbucket")) {
            if (repositories.has("manifest")) {
                problem("repositories.manifest", "is only read with repositories.from: manifest; remove it");
            }
            if (primary != null && primary.kind() == Server.Kind.AGENT) {
                problem(
                        "repositories.from",
                        "is bitbucket, but the primary is of kind agent, which has no REST repository list: use"
                                + " from: file or manifest");
            }
            return new FarmvetConfig.Git(
                    concurrency, List.of(), FarmvetConfig.RepositoriesFrom.BITBUCKET, null, ratePerSecond);
        }
        String text = text(repositories, "repositories", "manifest", true);
        String manifest = text == null ? null : manifestLocation(text, "repositories.manifest");
        return new FarmvetConfig.Git(
                concurrency, List.of(), FarmvetConfig.RepositoriesFrom.MANIFEST, manifest, ratePerSecond);
    }

    /**
     * A farm listed from grokmirror manifests holds only such servers: a fingerprint (SHA-1 of {@code git show-ref})
     * never equals a repo-hashes or ls-remote content hash, so a mixed farm would report every repository as
     * {@code content} drift, and repair it.
     */
    private void hashKinds(Server primary, List<Server> nodes) {
        if (primary == null) {
            return;
        }
        for (int i = 0; i < nodes.size(); i++) {
            Server node = nodes.get(i);
            if (node.isManifest() == primary.isManifest()) {
                continue;
            }
            String manifestSide = primary.isManifest() ? "primary" : "nodes[" + i + "]";
            String otherSide = primary.isManifest() ? "nodes[" + i + "]" : "primary";
            Server other = primary.isManifest() ? node : primary;
            String listing = other.isGit()
                    ? "ls-remote"
                    : "repo-hashes (kind " + other.kind().name().toLowerCase(Locale.ROOT) + ")";
            problem(
                    manifestSide + ".manifest-url",
                    manifestSide + " is listed by grokmirror fingerprints, but " + otherSide + " by " + listing
                            + ", whose content hashes are not fingerprints: every repository would look different;"
                            + " give every server a manifest-url, or none");
        }
    }

    private static boolean given(JsonNode n) {
        return n != null && !n.isNull();
    }

    /** {@code repositories.file}: one {@code project/repo} a line, blank lines and {@code #} comments skipped. */
    private List<FarmvetConfig.RepositoryPath> repositoryFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            problem("repositories.file", file + " does not exist (a relative path is read from the config's folder)");
            return List.of();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            problem("repositories.file", "cannot read " + file + ": " + e);
            return List.of();
        }
        List<FarmvetConfig.RepositoryPath> paths = new ArrayList<>();
        Map<String, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int slash = line.indexOf('/');
            if (slash <= 0 || slash == line.length() - 1 || line.indexOf('/', slash + 1) >= 0) {
                problem("repositories.file", where + ": must be project/repo, got " + quote(line));
                continue;
            }
            String projectKey = line.substring(0, slash);
            String slug = line.substring(slash + 1);
            try {
                io.farmvet.git.StableIds.repositoryId(projectKey, slug);
            } catch (IllegalArgumentException e) {
                problem("repositories.file", where + ": " + e.getMessage());
                continue;
            }
            Integer first = lineOf.putIfAbsent(line, i + 1);
            if (first != null) {
                problem("repositories.file", where + ": " + quote(line) + " is already on line " + first);
                continue;
            }
            paths.add(new FarmvetConfig.RepositoryPath(projectKey, slug));
        }
        if (paths.isEmpty() && problems.isEmpty()) {
            problem("repositories.file", file + " lists no repository; add one project/repo a line");
        }
        return paths;
    }

    /** {@code explain} (issue 12): how many drifted repositories a vet explains; absent keys take defaults. */
    private FarmvetConfig.Explain explain(ObjectNode m) {
        if (m == null) {
            return null;
        }
        int most = FarmvetConfig.Explain.MAX_MAX_REPOSITORIES;
        Integer max = null;
        JsonNode n = m.get("max-repositories");
        if (n != null) {
            if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0 && n.intValue() <= most) {
                max = n.intValue();
            } else {
                String got = n.isNumber() ? n.asText() : n.isTextual() ? quote(n.textValue()) : kind(n);
                problem(
                        "explain.max-repositories",
                        "must be a whole number from 0 (explain none) to " + most + ", got " + got);
            }
        }
        Duration threshold = duration(
                m,
                "explain",
                "delay-threshold",
                FarmvetConfig.Explain.DEFAULT_DELAY_THRESHOLD,
                FarmvetConfig.Explain.MAX_DELAY_THRESHOLD);
        if (threshold != null && threshold.compareTo(Duration.ofMinutes(1)) < 0) {
            problem("explain.delay-threshold", "must be at least 1m, got " + Units.duration(threshold));
        }
        return new FarmvetConfig.Explain(
                max == null ? FarmvetConfig.Explain.DEFAULT_MAX_REPOSITORIES : max,
                threshold == null ? FarmvetConfig.Explain.DEFAULT_DELAY_THRESHOLD : threshold);
    }

    private Farm farm(ObjectNode m) {
        if (m == null) {
            return null;
        }
        String name = text(m, "farm", "name", true);
        if (name != null) {
            try {
                ConfigValues.name(name);
            } catch (BadValue e) {
                problem("farm.name", e.getMessage());
            }
        }
        String mirrorServerId = text(m, "farm", "mirror-server-id", false);
        if (mirrorServerId != null && !ConfigValues.isMirrorServerId(mirrorServerId)) {
            problem(
                    "farm.mirror-server-id",
                    ConfigValues.MIRROR_SERVER_ID_RULE + ", got " + quote(mirrorServerId)
                            + "; farmvet discover prints the id of each mirror server");
            mirrorServerId = null;
        }
        return new Farm(name, scope(m.get("scope"), "farm.scope"), mirrorServerId);
    }

    private Scope scope(JsonNode n, String path) {
        if (n == null) {
            return Scope.INFERRED;
        }
        if (n.isTextual()) {
            return switch (n.textValue()) {
                case "all" -> Scope.ALL;
                case "inferred" -> Scope.INFERRED;
                default -> {
                    problem(path, "must be " + SCOPE_FORMS + ", got " + quote(n.textValue()));
                    yield null;
                }
            };
        }
        if (!n.isArray()) {
            problem(path, "must be " + SCOPE_FORMS + ", got " + kind(n));
            return null;
        }
        if (n.isEmpty()) {
            problem(path, "must list at least one project id; use inferred to follow what the nodes mirror");
            return null;
        }
        long[] ids = new long[n.size()];
        boolean ok = true;
        for (int i = 0; i < n.size(); i++) {
            JsonNode id = n.get(i);
            if (id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= 0) {
                ids[i] = id.longValue();
            } else {
                ok = false;
                String got = id.isNumber() ? id.asText() : kind(id);
                problem(path + "[" + i + "]", "must be a non-negative integer project id, got " + got);
            }
        }
        return ok ? Scope.of(ids) : null;
    }

    private List<Server> nodes(JsonNode n, Server primary) {
        if (n == null || n.isNull()) {
            problem("nodes", "is required; list at least one mirror node with a name and a url");
            return List.of();
        }
        if (!n.isArray()) {
            problem("nodes", "must be a list of mirror nodes, got " + kind(n));
            return List.of();
        }
        if (n.isEmpty()) {
            problem("nodes", "must list at least one mirror node with a name and a url");
            return List.of();
        }
        List<Server> nodes = new ArrayList<>();
        Map<String, Integer> indexByName = new HashMap<>();
        Map<String, Integer> indexByUrl = new HashMap<>();
        for (int i = 0; i < n.size(); i++) {
            String path = "nodes[" + i + "]";
            JsonNode element = n.get(i);
            if (!element.isObject()) {
                problem(path, "must be a mapping with a name and a url, got " + kind(element));
                continue;
            }
            ObjectNode m = section(element, path, NODE_KEYS);
            String name = nodeName(m, path, indexByName, i);
            Server node = server(m, path, name);
            String member = m == null ? null : text(m, path, "member", false);
            if (member != null && member.isBlank()) {
                problem(path + ".member", "is blank; remove it to match the farm's member list by name");
            }
            node = new Server(
                    node.name(), node.url(), node.auth(), member, node.kind(), node.gitUrl(), node.manifest());
            nodes.add(node);
            if (node.url() == null) {
                continue;
            }
            if (primary != null && node.shownUrl().equals(primary.shownUrl())) {
                problem(path + ".url", "is the same as primary.url; list only mirrors under nodes");
                continue;
            }
            Integer first = indexByUrl.putIfAbsent(node.shownUrl(), i);
            if (first != null) {
                problem(path + ".url", "is the same as nodes[" + first + "].url");
            }
        }
        return nodes;
    }

    private String nodeName(ObjectNode m, String path, Map<String, Integer> indexByName, int index) {
        String name = text(m, path, "name", true);
        if (name == null) {
            return null;
        }
        try {
            ConfigValues.name(name);
        } catch (BadValue e) {
            problem(path + ".name", e.getMessage());
            return name;
        }
        // Names label metrics and reports, where "Mirror-1" next to "mirror-1" would only confuse.
        String key = name.toLowerCase(Locale.ROOT);
        if (key.equals(FarmvetConfig.PRIMARY_NAME)) {
            problem(path + ".name", quote(name) + " is reserved for the primary; pick another name");
            return name;
        }
        Integer first = indexByName.putIfAbsent(key, index);
        if (first != null) {
            problem(
                    path + ".name",
                    quote(name) + " is already the name of nodes[" + first + "] (names must differ, ignoring case)");
        }
        return name;
    }

    /** {@code primary} or a node; returns a Server whose broken parts are null (problems say why). */
    private Server server(ObjectNode m, String path, String name) {
        if (m == null) {
            return new Server(name, null, null);
        }
        Server.Kind kind = kind(m, path);
        URI url = null;
        String gitUrl = null;
        String manifest = manifestUrl(m, path, kind);
        // A manifest lists the server without its Git URL, which only the explain step needs.
        String text = text(m, path, "url", !m.has("manifest-url"));
        if (text != null && kind == Server.Kind.GIT) {
            gitUrl = gitUrl(text, path + ".url", m.has("manifest-url"));
            if (gitUrl != null) {
                URI filled = URI.create(filled(gitUrl));
                url = URI.create(filled.getScheme() + "://" + filled.getRawAuthority());
            }
        } else if (text == null && manifest != null) {
            URI location = manifest.startsWith("/") ? Path.of(manifest).toUri() : URI.create(manifest);
            url = location.getScheme().equals("file")
                    ? location
                    : URI.create(location.getScheme() + "://" + location.getRawAuthority());
        } else if (text != null) {
            if (text.contains(Server.PROJECT) || text.contains(Server.REPO)) {
                problem(
                        path + ".url",
                        "has " + Server.PROJECT + " or " + Server.REPO + ", which only a server of kind git fills in;"
                                + " set " + path + ".kind: git, or give the server's base URL");
            } else {
                try {
                    url = ConfigValues.serverUrl(text);
                } catch (BadValue e) {
                    problem(path + ".url", e.getMessage());
                }
            }
        }
        Auth auth = auth(m.get("auth"), path + ".auth");
        checkAuthFitsScheme(gitUrl == null ? url : URI.create(filled(gitUrl)), auth, path);
        if (url != null
                && auth != null
                && auth != Auth.NONE
                && url.getScheme().equals("http")
                && !ConfigValues.isLoopbackHost(url.getHost())) {
            log.warn(
                    "{}.url: {} is plain http to another host, so the credentials of {}.auth cross the network"
                            + " in clear; use https",
                    path,
                    url,
                    path);
        }
        return new Server(name, url, auth, null, kind, gitUrl, manifest);
    }

    /**
     * {@code manifest-url}: an http(s) URL (fetched with the server's auth, redirects not followed) or a file path
     * (relative to the config's folder), made absolute; null when absent or bad. Only a server of kind git has one:
     * Bitbucket and the agent serve their own listings.
     */
    private String manifestUrl(ObjectNode m, String path, Server.Kind kind) {
        String key = path + ".manifest-url";
        String text = text(m, path, "manifest-url", false);
        if (text == null) {
            return null;
        }
        if (kind != Server.Kind.GIT) {
            problem(
                    key,
                    "is only read for a server of kind git (a plain Git server publishing a grokmirror manifest);"
                            + " set " + path + ".kind: git, or remove it");
            return null;
        }
        return manifestLocation(text, key);
    }

    /** A manifest's http(s) URL, or its file path made absolute; null (with a problem) when bad. */
    private String manifestLocation(String text, String key) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(text);
                if (uri.getHost() == null || uri.getRawFragment() != null) {
                    problem(key, "must have a host and no fragment, e.g. https://git.example.com/manifest.js.gz");
                    return null;
                }
                if (uri.getRawUserInfo() != null) {
                    problem(key, "must not hold credentials (user-info before @); put them under auth");
                    return null;
                }
                return text;
            } catch (URISyntaxException e) {
                problem(key, "is not a valid URL: " + e.getReason());
                return null;
            }
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            problem(key, "must be an http(s) URL or a file path, got " + quote(text));
            return null;
        }
        try {
            Path file = ConfigFiles.resolve(baseDir, text).toAbsolutePath();
            if (readsFiles() && !Files.isRegularFile(file)) {
                problem(key, file + " is not a file (a relative path is read from the config's folder)");
            }
            return file.toString();
        } catch (BadValue e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    /** ssh:// needs {@code auth.ssh} and only it takes one; git:// is anonymous. */
    private void checkAuthFitsScheme(URI url, Auth auth, String path) {
        if (url == null || auth == null) {
            return;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("ssh") && !(auth instanceof Auth.Ssh)) {
            problem(
                    path + ".auth",
                    "must be ssh: {key-file, known-hosts-file} for an ssh:// URL: farmvet logs in with that key and"
                            + " checks the host key against that file only");
        } else if (scheme.equals("git") && auth != Auth.NONE) {
            problem(path + ".auth", "is set, but git:// is anonymous and sends no credentials; remove it");
        } else if (!scheme.equals("ssh") && auth instanceof Auth.Ssh) {
            problem(
                    path + ".auth.ssh",
                    "is only for an ssh:// URL of a server of kind git; " + path + ".url is not one");
        }
    }

    private Server.Kind kind(ObjectNode m, String path) {
        String text = text(m, path, "kind", false);
        if (text == null) {
            return Server.Kind.BITBUCKET;
        }
        try {
            return Server.Kind.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problem(path + ".kind", "must be bitbucket, agent or git, got " + quote(text));
            return Server.Kind.BITBUCKET;
        }
    }

    /** A {@code git} server's repository URL template, checked with its placeholders filled in; null when bad. */
    private String gitUrl(String text, String path, boolean manifest) {
        boolean names = text.contains(Server.PROJECT) && text.contains(Server.REPO);
        boolean byPath = text.contains(Server.PATH);
        if (manifest && !byPath) {
            // A manifest key's project may hold slashes (pub/scm/git), which {project} cannot give back.
            problem(
                    path,
                    "must hold " + Server.PATH + " (the manifest's key without its leading /) for a server with a"
                            + " manifest-url, e.g. https://git.example.com/" + Server.PATH);
            return null;
        }
        boolean either = byPath ? !text.contains(Server.PROJECT) && !text.contains(Server.REPO) : names;
        if (!either) {
            problem(
                    path,
                    "must hold " + Server.PROJECT + " and " + Server.REPO + " (or else " + Server.PATH + ") for a"
                            + " server of kind git, e.g. https://git.example.com/" + Server.PROJECT + "/"
                            + Server.REPO + ".git");
            return null;
        }
        if (SCP_FORM.matcher(text).lookingAt()) {
            problem(path, "is in scp form (user@host:path), which is not a URL; write it as ssh://user@host/path");
            return null;
        }
        try {
            URI uri = new URI(filled(text));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!GIT_SCHEMES.contains(scheme)) {
                problem(
                        path,
                        "must be an https://, http://, ssh:// or git:// URL for a server of kind git (ssh's"
                                + " user@host:path form: write ssh://user@host/path)");
                return null;
            }
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null && (!scheme.equals("ssh") || userInfo.contains(":"))) {
                problem(
                        path,
                        scheme.equals("ssh")
                                ? "must not hold a password (ssh logs in with auth.ssh.key-file); keep only the user,"
                                        + " as ssh://git@host/..."
                                : "must not hold credentials (user-info before @); put them under auth");
                return null;
            }
            if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem(path, "must have a host and no query or fragment");
                return null;
            }
        } catch (URISyntaxException e) {
            problem(path, "is not a valid URL: " + e.getReason());
            return null;
        }
        return text;
    }

    /** A {@code git} URL template with sample names in its placeholders, to check it as a URL. */
    private static String filled(String template) {
        return template.replace(Server.PROJECT, "PROJ")
                .replace(Server.REPO, "repo")
                .replace(Server.PATH, "a/b.git");
    }

    private Auth auth(JsonNode n, String path) {
        if (n == null) {
            return Auth.NONE;
        }
        if (n.isNull() || n.isObject() && n.isEmpty()) {
            problem(path, "is empty; set bearer-token-file, basic or ssh, or remove auth to send no credentials");
            return null;
        }
        ObjectNode m = section(n, path, AUTH_KEYS);
        if (m == null) {
            return null;
        }
        boolean bearer = m.has("bearer-token-file");
        boolean basic = m.has("basic");
        boolean ssh = m.has("ssh");
        int kinds = (bearer ? 1 : 0) + (basic ? 1 : 0) + (ssh ? 1 : 0);
        if (kinds > 1) {
            problem(
                    path,
                    "sets "
                            + (ssh
                                    ? "ssh with " + (bearer ? "bearer-token-file" : "basic")
                                    : "both bearer-token-file" + " and basic")
                            + "; keep exactly one");
        } else if (kinds == 0) {
            // Only unknown keys here, already reported.
            problem(path, "must set bearer-token-file, basic or ssh");
        }
        Auth auth = null;
        if (ssh) {
            auth = ssh(m.get("ssh"), path + ".ssh");
        }
        if (bearer) {
            Secret token = secret(m, path, "bearer-token-file", "token");
            auth = token == null ? null : new Auth.Bearer(token);
        }
        if (basic) {
            ObjectNode b = section(m.get("basic"), path + ".basic", BASIC_KEYS);
            if (b != null) {
                String username = text(b, path + ".basic", "username", true);
                if (username != null
                        && (username.isEmpty()
                                || username.indexOf(':') >= 0
                                || username.chars().anyMatch(Character::isISOControl))) {
                    problem(
                            path + ".basic.username",
                            "must be a non-empty user name without ':' or control characters (HTTP Basic cannot"
                                    + " carry them)");
                    username = null;
                }
                Secret password = secret(b, path + ".basic", "password-file", "password");
                auth = username == null || password == null ? null : new Auth.Basic(username, password);
            }
        }
        return kinds > 1 ? null : auth;
    }

    /** {@code auth.ssh}: both files, read and checked as an ls-remote reads them when files are read. */
    private Auth ssh(JsonNode n, String path) {
        ObjectNode m = section(n, path, SSH_KEYS);
        if (m == null) {
            return null;
        }
        Path keyFile = file(m, path, "key-file");
        Path knownHosts = file(m, path, "known-hosts-file");
        if (keyFile == null || knownHosts == null) {
            return null;
        }
        SshIdentity identity = new SshIdentity(keyFile, knownHosts);
        if (readsFiles()) {
            boolean usable = true;
            try {
                identity.checkKeyFile();
            } catch (SshIdentity.Unusable e) {
                problem(path + ".key-file", e.getMessage());
                usable = false;
            }
            try {
                identity.checkKnownHostsFile();
            } catch (SshIdentity.Unusable e) {
                problem(path + ".known-hosts-file", e.getMessage());
                usable = false;
            }
            if (!usable) {
                return null;
            }
        }
        return new Auth.Ssh(identity);
    }

    /** A required file path, made absolute against the config's folder; null when absent or bad. */
    private Path file(ObjectNode m, String parent, String key) {
        String text = text(m, parent, key, true);
        if (text == null) {
            return null;
        }
        try {
            return ConfigFiles.resolve(baseDir, text);
        } catch (BadValue e) {
            problem(parent + "." + key, e.getMessage());
            return null;
        }
    }

    private Secret secret(ObjectNode m, String parent, String key, String what) {
        String path = parent + "." + key;
        String text = text(m, parent, key, true);
        if (text == null) {
            return null;
        }
        try {
            Path file = ConfigFiles.resolve(baseDir, text);
            return readsFiles() ? ConfigFiles.readSecret(file, what, path) : unread(file);
        } catch (BadValue e) {
            problem(path, e.getMessage());
            return null;
        }
    }

    /** A secret left unread by {@link ConfigLoader.Check#SYNTAX_ONLY}: its value is empty, never sent anywhere. */
    private static Secret unread(Path file) {
        return new Secret("", file);
    }

    private Http http(ObjectNode m) {
        if (m == null) {
            return null;
        }
        Duration connect = duration(
                m, "http", "connect-timeout", FarmvetConfig.DEFAULT_CONNECT_TIMEOUT, FarmvetConfig.MAX_TIMEOUT);
        Duration read =
                duration(m, "http", "read-timeout", FarmvetConfig.DEFAULT_READ_TIMEOUT, FarmvetConfig.MAX_TIMEOUT);
        Path caFile = null;
        String text = text(m, "http", "ca-file", false);
        if (text != null) {
            try {
                caFile = ConfigFiles.resolve(baseDir, text);
                if (readsFiles()) {
                    ConfigFiles.checkCaFile(caFile);
                }
            } catch (BadValue e) {
                problem("http.ca-file", e.getMessage());
            }
        }
        return new Http(connect, read, caFile);
    }

    private Listing listing(ObjectNode m) {
        if (m == null) {
            return null;
        }
        Long maxSize = size(m, "listing", "max-size", false);
        Long readAhead = size(m, "listing", "read-ahead", true);
        if (maxSize != null && maxSize < 0 || readAhead != null && readAhead < 0) {
            return new Listing(null, 0);
        }
        return new Listing(
                maxSize == null ? ListingLimits.DEFAULTS : ListingLimits.DEFAULTS.withMaxDocumentBytes(maxSize),
                readAhead == null ? Listing.DEFAULT_READ_AHEAD : readAhead);
    }

    /** A size in bytes; null when absent, -1 after a problem. */
    private Long size(ObjectNode m, String parent, String key, boolean zeroAllowed) {
        JsonNode n = m.get(key);
        if (n == null) {
            return null;
        }
        try {
            long bytes;
            if (n.isIntegralNumber() && n.canConvertToLong()) {
                bytes = n.longValue();
            } else if (n.isTextual()) {
                bytes = ConfigValues.size(n.textValue());
            } else if (n.isNumber()) {
                throw new BadValue(
                        "must be a whole number of bytes or a size " + ConfigValues.SIZE_FORMS + ", got " + n.asText());
            } else {
                throw new BadValue("must be a size " + ConfigValues.SIZE_FORMS + ", got " + kind(n));
            }
            if (bytes < (zeroAllowed ? 0 : 1)) {
                throw new BadValue("must be at least " + (zeroAllowed ? "0 bytes" : "1 byte") + ", got "
                        + (n.isTextual() ? ConfigValues.quote(n.textValue()) : n.asText()));
            }
            return bytes;
        } catch (BadValue e) {
            problem(at(parent, key), e.getMessage());
            return -1L;
        }
    }

    private Repair repair(ObjectNode m, State state) {
        if (m == null) {
            return null;
        }
        RepairSettings.Builder settings = RepairSettings.builder();
        String mode = text(m, "repair", "mode", false);
        if (mode != null) {
            try {
                settings.mode(RepairMode.fromWireName(mode));
            } catch (IllegalArgumentException e) {
                problem("repair.mode", "must be none, http or agent, got " + quote(mode));
            }
        }
        Boolean dryRun = bool(m, "repair", "dry-run");
        if (dryRun != null) {
            settings.dryRun(dryRun);
        }
        JsonNode settle = m.get("settle");
        if (settle != null && settle.isTextual() && settle.textValue().matches("0+(ms|s|m|h)")) {
            settings.settle(Duration.ZERO); // 0s turns confirming off
        } else {
            set(settings::settle, duration(m, "repair", "settle", RepairSettings.SETTLE, MAX_REPAIR_DURATION));
        }
        Double fraction = number(m, "repair", "max-fraction", 0, 1);
        if (fraction != null) {
            settings.maxFraction(fraction);
        }
        set(settings::maxPerRun, integer(m, "repair", "max-per-run", 1, MAX_REPAIRS_PER_RUN));
        set(settings::concurrency, integer(m, "repair", "concurrency", 1, 64));
        Double rate = number(m, "repair", "rate", 0, MAX_RATE);
        if (rate != null) {
            settings.ratePerSecond(rate);
        }
        set(settings::retries, integer(m, "repair", "retries", 0, MAX_RETRIES));
        set(
                settings::backoffInitial,
                duration(m, "repair", "backoff-initial", RepairSettings.BACKOFF_INITIAL, MAX_REPAIR_DURATION));
        set(
                settings::backoffMax,
                duration(m, "repair", "backoff-max", RepairSettings.BACKOFF_MAX, MAX_REPAIR_DURATION));
        set(settings::timeout, duration(m, "repair", "timeout", RepairSettings.TIMEOUT, FarmvetConfig.MAX_TIMEOUT));
        set(settings::verifyVets, integer(m, "repair", "verify-vets", 1, 1000));
        set(
                settings::confirmPerRepositoryMax,
                integer(m, "repair", "confirm-per-repository-max", 0, MAX_REPAIRS_PER_RUN));
        set(
                settings::verifyAfter,
                duration(m, "repair", "verify-after", RepairSettings.VERIFY_AFTER, MAX_REPAIR_DURATION));
        ObjectNode http = section(m.get("http"), "repair.http", REPAIR_HTTP_KEYS);
        if (m.has("http") && http != null) {
            HttpTemplate template = httpTemplate(http);
            if (template != null) {
                settings.http(template);
            }
        }
        Path auditLog = null;
        String audit = text(m, "repair", "audit-log", false);
        try {
            if (audit != null) {
                auditLog = ConfigFiles.resolve(baseDir, audit);
            } else if (state != null) {
                auditLog = AuditLog.defaultPath(state.dir());
            }
        } catch (BadValue e) {
            problem("repair.audit-log", e.getMessage());
        }
        if (!problems.isEmpty()) {
            return null;
        }
        try {
            return new Repair(settings.build(), auditLog);
        } catch (IllegalArgumentException e) {
            // Rules that span keys (backoff-max >= backoff-initial, http required for mode http) live in
            // RepairSettings; its messages start with the key path.
            problems.add(e.getMessage());
            return null;
        }
    }

    private HttpTemplate httpTemplate(ObjectNode m) {
        String method = text(m, "repair.http", "method", false);
        String url = text(m, "repair.http", "url", true);
        String body = text(m, "repair.http", "body", false);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        JsonNode h = m.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                problem("repair.http.headers", "must be a mapping of header names to values, got " + kind(h));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> header = it.next();
                    String value = headerValue(header.getValue(), "repair.http.headers." + header.getKey());
                    if (value != null) {
                        headers.put(header.getKey(), value);
                    }
                }
            }
        }
        if (url == null) {
            return null;
        }
        try {
            return new HttpTemplate(method, url, body, headers);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** A header value: a string, or {@code {value-file: PATH}} for a secret such as a token. */
    private String headerValue(JsonNode n, String path) {
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isObject()
                && n.size() == 1
                && n.has("value-file")
                && n.get("value-file").isTextual()) {
            try {
                Path file = ConfigFiles.resolve(baseDir, n.get("value-file").textValue());
                Secret value = readsFiles()
                        ? ConfigFiles.readSecret(file, "header value", path + ".value-file")
                        : unread(file);
                return value.reveal();
            } catch (BadValue e) {
                problem(path + ".value-file", e.getMessage());
                return null;
            }
        }
        problem(path, "must be a string, or {value-file: PATH} for a secret, got " + kind(n));
        return null;
    }

    private Boolean bool(ObjectNode m, String parent, String key) {
        JsonNode n = m.get(key);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            problem(at(parent, key), "must be true or false, got " + kind(n));
            return null;
        }
        return n.booleanValue();
    }

    private Integer integer(ObjectNode m, String parent, String key, int min, int max) {
        JsonNode n = m.get(key);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            problem(
                    at(parent, key),
                    "must be a whole number from " + min + " to " + max + ", got "
                            + (n.isNumber() ? n.asText() : kind(n)));
            return null;
        }
        return n.intValue();
    }

    /** A number greater than {@code min} and at most {@code max}. */
    private Double number(ObjectNode m, String parent, String key, double min, double max) {
        JsonNode n = m.get(key);
        if (n == null) {
            return null;
        }
        if (!n.isNumber() || !(n.doubleValue() > min) || n.doubleValue() > max) {
            problem(
                    at(parent, key),
                    "must be a number greater than " + (long) min + " and at most " + formatMax(max) + ", got "
                            + (n.isNumber() ? n.asText() : kind(n)));
            return null;
        }
        return n.doubleValue();
    }

    private static String formatMax(double max) {
        return max == Math.rint(max) ? String.valueOf((long) max) : String.valueOf(max);
    }

    private static <T> void set(java.util.function.Consumer<T> setter, T value) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private Vet vet(ObjectNode m) {
        Vet vet = vetSchedule(m);
        if (vet == null) {
            return null;
        }
        Duration debounce = duration(
                m,
                "vet",
                "webhook-debounce",
                FarmvetConfig.DEFAULT_WEBHOOK_DEBOUNCE,
                FarmvetConfig.MAX_WEBHOOK_DEBOUNCE);
        return new Vet(vet.deadline(), vet.schedule(), debounce);
    }

    private Vet vetSchedule(ObjectNode m) {
        if (m == null) {
            return null;
        }
        Duration deadline =
                duration(m, "vet", "deadline", FarmvetConfig.DEFAULT_VET_DEADLINE, FarmvetConfig.MAX_VET_DEADLINE);
        String schedule = text(m, "vet", "schedule", false);
        if (schedule == null) {
            // Present but not a string: text() has said so.
            return m.has("schedule") ? new Vet(deadline, null) : new Vet(deadline);
        }
        try {
            CronExpression.validateExpression(schedule);
        } catch (ParseException e) {
            // Quartz's own words say which field is wrong, and that is what the operator needs.
            problem(
                    "vet.schedule",
                    "is not a valid Quartz cron expression (" + e.getMessage() + "), got " + quote(schedule)
                            + "; write seconds minutes hours day-of-month month day-of-week [year], like "
                            + FarmvetConfig.DEFAULT_SCHEDULE);
            return new Vet(deadline, null);
        }
        try {
            if (new CronExpression(schedule).getNextValidTimeAfter(new Date()) == null) {
                problem("vet.schedule", quote(schedule) + " never fires again (a year in the past?)");
                return new Vet(deadline, null);
            }
        } catch (ParseException e) {
            throw new IllegalStateException("Quartz accepted and then rejected " + quote(schedule), e);
        }
        return new Vet(deadline, schedule);
    }

    // ---- the daemon's sections: server, state, history ----

    private RestServer server(ObjectNode m) {
        if (m == null) {
            return null;
        }
        String host = FarmvetConfig.DEFAULT_LISTEN_HOST;
        int port = FarmvetConfig.DEFAULT_LISTEN_PORT;
        String listen = text(m, "server", "listen", false);
        if (listen != null) {
            try {
                ListenAddress parsed = ListenAddress.parse(listen);
                host = parsed.host();
                port = parsed.port();
            } catch (IllegalArgumentException e) {
                problem("server.listen", e.getMessage() + "; write it " + ListenAddress.FORMS);
                host = null;
            }
        } else if (m.has("listen")) {
            host = null; // present but not a string: text() has said so
        }
        // isLoopbackHost reads URI hosts, where an IPv6 address wears brackets.
        if (host != null && !ConfigValues.isLoopbackHost(host.indexOf(':') >= 0 ? "[" + host + "]" : host)) {
            log.warn(
                    "server.listen: {} is not a loopback address; the REST API is plain HTTP, so its tokens cross"
                            + " the network in clear unless a TLS proxy is in front",
                    listen);
        }
        Secret token = apiToken(m, "token-file");
        Secret metricsToken = apiToken(m, "metrics-token-file");
        Secret webhookSecret = webhookSecret(m);
        URI publicUrl = publicUrl(m);
        Duration sessionTtl = duration(m, "server", "session-ttl", RestServer.DEFAULT_SESSION_TTL, MAX_SESSION_TTL);
        if (sessionTtl.compareTo(Duration.ofMinutes(1)) < 0) {
            problem("server.session-ttl", "must be at least 1m, got " + Units.duration(sessionTtl));
        }
        Tls tls = m.has("tls") ? tls(section(m.get("tls"), "server.tls", TLS_KEYS)) : null;
        return new RestServer(host, port, token, metricsToken, webhookSecret, publicUrl, sessionTtl, tls);
    }

    /** {@code server.public-url}: an absolute http(s) URL without query or fragment; null when absent or bad. */
    private URI publicUrl(ObjectNode m) {
        String text = text(m, "server", "public-url", false);
        if (text == null) {
            return null;
        }
        try {
            return ConfigValues.serverUrl(text);
        } catch (BadValue e) {
            problem("server.public-url", e.getMessage());
            return null;
        }
    }

    /** {@code server.tls}: both files or neither. */
    private Tls tls(ObjectNode m) {
        if (m == null) {
            return null;
        }
        Path cert = file(m, "server.tls", "cert-file");
        Path key = file(m, "server.tls", "key-file");
        return cert == null || key == null ? null : new Tls(cert, key);
    }

    private Secret apiToken(ObjectNode m, String key) {
        if (!m.has(key)) {
            return null;
        }
        Secret token = secret(m, "server", key, "token");
        if (token != null && readsFiles() && token.reveal().length() < FarmvetConfig.MIN_API_TOKEN_CHARS) {
            problem(
                    "server." + key,
                    token.file() + " holds a token shorter than " + FarmvetConfig.MIN_API_TOKEN_CHARS
                            + " characters; make a longer one, e.g. openssl rand -hex 32 > " + token.file());
            return null;
        }
        return token;
    }

    /** Bitbucket signs with whatever it is given, so a short secret is refused here, as short API tokens are. */
    private Secret webhookSecret(ObjectNode m) {
        if (!m.has("webhook-secret-file")) {
            return null;
        }
        Secret secret = secret(m, "server", "webhook-secret-file", "token");
        if (secret != null && readsFiles() && secret.reveal().length() < FarmvetConfig.MIN_API_TOKEN_CHARS) {
            problem(
                    "server.webhook-secret-file",
                    secret.file() + " holds a secret shorter than " + FarmvetConfig.MIN_API_TOKEN_CHARS
                            + " characters; make a longer one, e.g. openssl rand -hex 32 > " + secret.file()
                            + ", and give the same to the webhook on Bitbucket");
            return null;
        }
        return secret;
    }

    private State state(ObjectNode m) {
        if (m == null) {
            return null;
        }
        String text = text(m, "state", "dir", false);
        if (text == null && m.has("dir")) {
            return null; // present but not a string: text() has said so
        }
        try {
            Path dir = ConfigFiles.resolve(baseDir, text == null ? FarmvetConfig.DEFAULT_STATE_DIR : text);
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                problem("state.dir", dir + " exists and is not a folder; point state.dir at a folder");
                return null;
            }
            if (!m.has("database")) {
                return new State(dir);
            }
            StateDatabase database = database(section(m.get("database"), "state.database", DATABASE_KEYS));
            return database == null ? null : new State(dir, database);
        } catch (BadValue e) {
            problem("state.dir", e.getMessage());
            return null;
        }
    }

    /** {@code state.database}: PostgreSQL only; the password from a file, never in the URL (it would be logged). */
    private StateDatabase database(ObjectNode m) {
        if (m == null) {
            problem(
                    "state.database",
                    "is empty; set url, username and password-file, or remove it to keep the"
                            + " embedded database under state.dir");
            return null;
        }
        String url = text(m, "state.database", "url", true);
        String username = text(m, "state.database", "username", true);
        Secret password = secret(m, "state.database", "password-file", "password");
        if (url != null && !url.startsWith(StateDatabase.POSTGRESQL_SCHEME)) {
            String scheme = url.indexOf("://") > 0 ? url.substring(0, url.indexOf("://") + 3) : url;
            problem(
                    "state.database.url",
                    "must be a PostgreSQL URL like " + StateDatabase.POSTGRESQL_SCHEME
                            + "db.example.com:5432/farmvet, not " + (scheme.length() > 40 ? "this" : quote(scheme))
                            + "; farmvet keeps its state in PostgreSQL, or in H2 under state.dir without"
                            + " state.database");
            url = null;
        } else if (url != null && hasCredentials(url)) {
            problem(
                    "state.database.url",
                    "carries credentials; remove them from the URL and set username and password-file instead"
                            + " (the URL shows in logs and errors)");
            url = null;
        }
        if (username != null && username.isBlank()) {
            problem("state.database.username", "must not be empty");
            username = null;
        }
        if (url == null || username == null || password == null) {
            return null;
        }
        return StateDatabase.postgresql(url, username, password.reveal());
    }

    /** A user or password in the URL's authority ({@code user:pw@host}) or its query ({@code ?password=}). */
    private static boolean hasCredentials(String url) {
        String rest = url.substring(StateDatabase.POSTGRESQL_SCHEME.length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String lower = rest.toLowerCase(java.util.Locale.ROOT);
        return authority.contains("@") || lower.matches(".*[?&](password|user)=.*");
    }

    private History history(ObjectNode m) {
        if (m == null) {
            return null;
        }
        Long maxBytes = size(m, "history", "max-bytes", false);
        return new History(
                count(m, "history", "keep-successes", FarmvetConfig.DEFAULT_KEEP_SUCCESSES, FarmvetConfig.MAX_KEEP),
                count(m, "history", "keep-failures", FarmvetConfig.DEFAULT_KEEP_FAILURES, FarmvetConfig.MAX_KEEP),
                maxBytes == null ? FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES : maxBytes);
    }

    /** A whole number from 1 to {@code max}; the default when absent, -1 after a problem. */
    private int count(ObjectNode m, String parent, String key, int defaultValue, int max) {
        JsonNode n = m.get(key);
        if (n == null) {
            return defaultValue;
        }
        if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 1 && n.intValue() <= max) {
            return n.intValue();
        }
        String got = n.isNumber() ? n.asText() : n.isTextual() ? quote(n.textValue()) : kind(n);
        problem(at(parent, key), "must be a whole number from 1 to " + max + ", got " + got);
        return -1;
    }

    /** A timeout longer than the whole vet could never fire: the deadline would cancel the fetch first. */
    private void checkWithinDeadline(Duration timeout, String key, JsonNode httpNode, Vet vet, JsonNode vetNode) {
        if (timeout == null || timeout.compareTo(vet.deadline()) <= 0) {
            return;
        }
        boolean timeoutSet = httpNode != null && httpNode.has(key);
        boolean deadlineSet = vetNode != null && vetNode.has("deadline");
        problem(
                "http." + key,
                Units.duration(timeout) + (timeoutSet ? "" : " (the default)") + " is longer than vet.deadline ("
                        + Units.duration(vet.deadline()) + (deadlineSet ? "" : ", the default")
                        + "); lower http." + key + " or raise vet.deadline");
    }

    private Duration duration(ObjectNode m, String parent, String key, Duration defaultValue, Duration max) {
        JsonNode n = m.get(key);
        if (n == null) {
            return defaultValue;
        }
        String path = parent + "." + key;
        String forms = ConfigValues.DURATION_FORMS;
        if (n.isNull()) {
            problem(
                    path,
                    "has no value; set a duration " + forms + ", or remove the key for the default ("
                            + Units.duration(defaultValue) + ")");
            return null;
        }
        if (n.isNumber()) {
            problem(path, "needs a unit: write a duration " + forms + ", got " + n.asText());
            return null;
        }
        if (!n.isTextual()) {
            problem(path, "must be a duration " + forms + ", got " + kind(n));
            return null;
        }
        try {
            return ConfigValues.duration(n.textValue(), max);
        } catch (BadValue e) {
            problem(path, e.getMessage());
            return null;
        }
    }

    /**
     * The mapping at {@code path}, with its unknown keys reported; absent or empty counts as a mapping with no
     * keys, so that required keys inside are reported by name. Null, after a problem, when it is not a mapping.
     */
    private ObjectNode section(JsonNode n, String path, List<String> known) {
        if (n == null || n.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!n.isObject()) {
            problem(path, "must be a mapping with the keys " + String.join(", ", known) + ", got " + kind(n));
            return null;
        }
        for (Iterator<String> keys = n.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                problem(at(path, key), "unknown key (known here: " + String.join(", ", known) + ")");
            }
        }
        return (ObjectNode) n;
    }

    /** A string value; null after a problem, or when an optional key is absent. */
    private String text(ObjectNode m, String parent, String key, boolean required) {
        JsonNode n = m.get(key);
        String path = at(parent, key);
        if (n == null || n.isNull() && required) {
            if (required) {
                problem(path, "is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            problem(path, "must be a string, got " + kind(n));
            return null;
        }
        return n.textValue();
    }

    private void problem(String path, String text) {
        problems.add(path + ": " + text);
    }

    private static String at(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** What a value is, in YAML's words, for "got ..." in messages. */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "no value";
            default -> "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}

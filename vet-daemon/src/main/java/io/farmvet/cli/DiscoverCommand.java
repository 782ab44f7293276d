package io.farmvet.cli;

import io.farmvet.config.Auth;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.config.SecretFile;
import io.farmvet.discover.Discovery;
import io.farmvet.discover.MirrorServers.MirrorServer;
import io.farmvet.discover.NodeUrlTemplate;
import io.farmvet.discover.ServerText;
import io.farmvet.discover.StarterConfig;
import io.farmvet.fetch.FarmNodesProbe;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.PagedGet;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code farmvet discover}: the primary's mirror servers and their farms' members, and with {@code --farm} a
 * starter config for one farm. A thin door onto {@link Discovery} and {@link StarterConfig}.
 */
@Command(
        name = "discover",
        header = "list the primary's mirror farms and their members; print a starter config for one",
        description = {
            "Asks the primary for its mirror servers (rest/mirroring/latest/mirrorServers) and each one, at its"
                    + " baseUrl, for its farm's members (rest/mirroring/latest/farmNodes), with the same credentials,"
                    + " and lists them on stdout.",
            "With --farm, prints instead a starter config for that farm on stdout (a summary goes to stderr):"
                    + " save it and run 'farmvet check-config' on it. farmNodes gives cluster addresses, not HTTP"
                    + " URLs, so each node's URL comes from --node-url, e.g. 'https://{name}.example.com:7990'.",
            "Everything is bounded by --deadline; a farm that does not answer is a note, not the end of the others."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:listed every farm's members (or printed the config)",
            "2:the primary, or a farm's members, could not be read (each says why on stderr)",
            "3:bad usage: options, files, an unknown --farm"
        })
final class DiscoverCommand implements Callable<Integer> {
    private static final int MAX_SECONDS = 3600;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Option(names = "--primary", required = true, paramLabel = "URL", description = "the primary's base URL")
    String primary;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "a file holding a bearer token (an HTTP access token), as auth.bearer-token-file")
    Path tokenFile;

    @Option(names = "--username", paramLabel = "NAME", description = "HTTP Basic user, with --password-file")
    String username;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "a file holding the --username's password, as auth.basic.password-file")
    Path passwordFile;

    @Option(
            names = "--ca-file",
            paramLabel = "FILE",
            description = "PEM certificates trusted in addition to the JDK's, as http.ca-file")
    Path caFile;

    @Option(
            names = "--farm",
            paramLabel = "NAME",
            description = "print a starter config for the mirror server of this name (or id)")
    String farm;

    @Option(
            names = "--node-url",
            paramLabel = "TEMPLATE",
            description = "each node's base URL, from its member's {name}, {host} or {address} (host:port of"
                    + " its cluster address); needed with --farm")
    String nodeUrl;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "connect and read timeout of each request; default: ${DEFAULT-VALUE}")
    int timeoutSeconds;

    @Option(
            names = "--deadline",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "the whole discovery's bound; default: ${DEFAULT-VALUE}")
    int deadlineSeconds;

    DiscoverCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        URI primaryUrl = usage(() -> ConfigLoader.serverUrl(primary, "--primary"));
        StarterConfig.Credentials credentials = credentials();
        Auth auth = auth(credentials);
        NodeUrlTemplate template = nodeUrl == null ? null : usage(() -> NodeUrlTemplate.parse(nodeUrl), "--node-url ");
        if (farm != null && template == null) {
            throw usageError("--farm needs --node-url: farmNodes gives cluster addresses, not the nodes' HTTP URLs;"
                    + " e.g. --node-url 'https://{name}.example.com:7990'");
        }
        Duration timeout = seconds(timeoutSeconds, "--timeout");
        Duration deadline = seconds(deadlineSeconds, "--deadline");
        Path ca = caFile == null ? null : caFile.toAbsolutePath().normalize();
        ListingFetcher fetcher;
        try {
            fetcher = new ListingFetcher(
                    new FarmvetConfig.Http(timeout, timeout, ca), new ListingReader(ListingLimits.DEFAULTS), 8);
        } catch (GeneralSecurityException | IOException e) {
            throw usageError("cannot set up TLS with --ca-file " + ca + ": " + e.getMessage());
        }
        FarmvetConfig.Server server = new FarmvetConfig.Server(FarmvetConfig.PRIMARY_NAME, primaryUrl, auth);
        try (fetcher;
                Discovery discovery = new Discovery(fetcher, server, credentialsHint(credentials), deadline)) {
            List<MirrorServer> servers;
            try {
                servers = discovery.mirrorServers();
            } catch (PagedGet.PagingException e) {
                err.println("farmvet discover: primary " + primaryUrl + ": " + e.getMessage() + hint(e.getMessage()));
                return ExitCodes.NOT_VETTED;
            }
            if (farm == null) {
                return list(primaryUrl, discovery.farms(servers));
            }
            MirrorServer chosen = choose(servers);
            Discovery.Farm found = discovery.farms(List.of(chosen)).get(0);
            return starterConfig(primaryUrl, credentials, ca, template, found);
        } catch (IOException e) {
            err.println("farmvet discover: " + e.getMessage());
            return ExitCodes.NOT_VETTED;
        }
    }

    private int list(URI primaryUrl, List<Discovery.Farm> farms) {
        out.println("primary " + primaryUrl + ": " + Units.count(farms.size(), "mirror server", "mirror servers"));
        boolean whole = true;
        for (Discovery.Farm f : farms) {
            MirrorServer s = f.server();
            out.println("  " + shown(s.name()) + "  " + shown(s.mirrorType()) + "  id " + shown(s.id()) + "  "
                    + shown(s.baseUrl()) + (Boolean.FALSE.equals(s.enabled()) ? "  disabled" : "")
                    + (s.productVersion() == null ? "" : "  " + shown(s.productVersion()))
                    + (s.lastSeenDate() == null ? "" : "  last seen " + shown(s.lastSeenDate())));
            if (f.members() != null) {
                List<String> members = new ArrayList<>();
                for (FarmNodesProbe.Member m : f.members()) {
                    members.add(shown(m.name()) + (m.address() == null ? "" : " (" + shown(m.address()) + ")"));
                }
                out.println(
                        "    " + Units.count(members.size(), "member", "members") + ": " + String.join(", ", members));
            } else {
                whole = false;
                out.println("    members not listed (see stderr)");
            }
            if (f.note() != null) {
                err.println("farmvet discover: " + f.note());
            }
        }
        out.flush();
        return whole ? ExitCodes.CONSISTENT : ExitCodes.NOT_VETTED;
    }

    private int starterConfig(
            URI primaryUrl,
            StarterConfig.Credentials credentials,
            Path ca,
            NodeUrlTemplate template,
            Discovery.Farm found) {
        String farmName = shown(found.server().name());
        if (found.note() != null) {
            err.println("farmvet discover: " + found.note());
        }
        if (found.members() == null) {
            err.println("farmvet discover: no config printed for " + farmName + ": its members are needed");
            return ExitCodes.NOT_VETTED;
        }
        List<StarterConfig.Node> nodes = new ArrayList<>();
        List<StarterConfig.Skipped> skipped = new ArrayList<>();
        Map<URI, String> byUrl = new HashMap<>();
        for (FarmNodesProbe.Member member : found.members()) {
            URI url;
            try {
                url = ConfigLoader.serverUrl(template.expand(member).toString(), "--node-url");
            } catch (IllegalArgumentException e) {
                skipped.add(new StarterConfig.Skipped(member.name(), shown(member.name()) + ": " + e.getMessage()));
                continue;
            }
            if (url.equals(primaryUrl)) {
                throw usageError("--node-url gives the primary's URL for member " + shown(member.name()));
            }
            String other = byUrl.putIfAbsent(url, member.name());
            if (other != null) {
                throw usageError("--node-url gives " + url + " for both members " + shown(other) + " and "
                        + shown(member.name()) + "; put {name}, {host} or {address} in it");
            }
            nodes.add(new StarterConfig.Node(member.name(), url));
        }
        skipped.forEach(s -> err.println("farmvet discover: member left out: " + s.why()));
        if (nodes.isEmpty()) {
            err.println("farmvet discover: no config printed: no member of " + farmName + " has a URL from --node-url"
                    + (found.members().isEmpty() ? " (it lists no members)" : ""));
            return ExitCodes.NOT_VETTED;
        }
        StarterConfig config = new StarterConfig(
                found.server().name(),
                found.server().id(),
                primaryUrl,
                credentials,
                ca,
                nodes,
                skipped,
                Clock.systemUTC().instant());
        out.print(config.yaml());
        out.flush();
        err.println("farmvet discover: starter config for " + farmName + " with "
                + Units.count(nodes.size(), "node", "nodes") + " (" + String.join(", ", config.nodeNames())
                + "); save it and run 'farmvet check-config' on it");
        return ExitCodes.CONSISTENT;
    }

    /** The mirror server {@code --farm} names: its exact name, else its name ignoring case, else its id. */
    private MirrorServer choose(List<MirrorServer> servers) {
        List<MirrorServer> exact = new ArrayList<>();
        List<MirrorServer> loose = new ArrayList<>();
        for (MirrorServer s : servers) {
            if (farm.equals(s.name())) {
                exact.add(s);
            } else if (farm.equalsIgnoreCase(s.name()) || farm.equals(s.id())) {
                loose.add(s);
            }
        }
        List<MirrorServer> found = exact.isEmpty() ? loose : exact;
        if (found.size() == 1) {
            return found.get(0);
        }
        List<String> names = new ArrayList<>();
        for (MirrorServer s : found.isEmpty() ? servers : found) {
            names.add(shown(s.name()) + " (id " + shown(s.id()) + ")");
        }
        throw usageError(
                found.isEmpty()
                        ? "--farm " + shown(farm) + ": the primary has no mirror server of that name or id; it has "
                                + (names.isEmpty() ? "none" : String.join(", ", names))
                        : "--farm " + shown(farm) + " names " + found.size() + " mirror servers: "
                                + String.join(", ", names) + "; give its id instead");
    }

    private StarterConfig.Credentials credentials() {
        if (tokenFile != null && (username != null || passwordFile != null)) {
            throw usageError("--token-file and --username/--password-file exclude each other; give one way");
        }
        if ((username == null) != (passwordFile == null)) {
            throw usageError("--username and --password-file go together");
        }
        if (tokenFile != null) {
            return new StarterConfig.Credentials.Token(
                    tokenFile.toAbsolutePath().normalize());
        }
        if (username != null) {
            if (username.isEmpty()
                    || username.indexOf(':') >= 0
                    || username.chars().anyMatch(Character::isISOControl)) {
                throw usageError("--username must be a non-empty user name without ':' or control characters");
            }
            return new StarterConfig.Credentials.Basic(
                    username, passwordFile.toAbsolutePath().normalize());
        }
        return new StarterConfig.Credentials.None();
    }

    /** Reads the secret files once, by the rules of every secret file ({@link SecretFile}). */
    private Auth auth(StarterConfig.Credentials credentials) {
        try {
            if (credentials instanceof StarterConfig.Credentials.Token token) {
                return new Auth.Bearer(SecretFile.read(token.file(), SecretFile.Kind.TOKEN, "--token-file"));
            }
            if (credentials instanceof StarterConfig.Credentials.Basic basic) {
                Secret password = SecretFile.read(basic.passwordFile(), SecretFile.Kind.PASSWORD, "--password-file");
                return new Auth.Basic(basic.username(), password);
            }
            return Auth.NONE;
        } catch (SecretFile.Refused e) {
            throw usageError(e.getMessage());
        }
    }

    private static String credentialsHint(StarterConfig.Credentials credentials) {
        if (credentials instanceof StarterConfig.Credentials.Token) {
            return "the account of --token-file";
        }
        if (credentials instanceof StarterConfig.Credentials.Basic) {
            return "the account of --username";
        }
        return "an anonymous request (give --token-file or --username)";
    }

    private String hint(String message) {
        if (message.contains("HTTP 401") || message.contains("HTTP 403")) {
            return "; check the credentials (--token-file, or --username and --password-file): the account must"
                    + " be allowed to list the primary's mirrors";
        }
        if (message.contains("PKIX") || message.contains("certification path")) {
            return "; if its certificate comes from an internal CA, give that CA with --ca-file";
        }
        if (message.contains("HTTP 404")) {
            return "; is --primary the primary's base URL, and is it a Bitbucket Data Center with smart mirroring?";
        }
        return "";
    }

    private Duration seconds(int value, String option) {
        if (value < 1 || value > MAX_SECONDS) {
            throw usageError(option + " must be from 1 to " + MAX_SECONDS + " seconds, got " + value);
        }
        return Duration.ofSeconds(value);
    }

    private <T> T usage(java.util.function.Supplier<T> parse) {
        return usage(parse, "");
    }

    private <T> T usage(java.util.function.Supplier<T> parse, String prefix) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw usageError(prefix + e.getMessage());
        }
    }

    private ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String shown(String text) {
        return ServerText.shown(text);
    }
}

package io.farmvet.bench;

import com.sun.net.httpserver.HttpExchange;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.vet.SecondLook;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code farmvet bench confirm} (issue 17, "Confirm cost"): what the repair step's second look fetches at fleet
 * size, per repository against whole listings. One synthetic primary and one node drifting on a fraction of its
 * repositories (no extra ones, which only the listings can confirm) are served over loopback: the listings from
 * disk, and beside them the primary's {@code repos/{id}} and the node's {@code repoSyncStatus} in Bitbucket's
 * shapes, answered from the same listings. The real {@link Vet} then runs in dry-run (nothing is sent) with
 * {@code repair.confirm-per-repository-max} high enough for every drifted repository, and again at 0 (the
 * listings); the figure is each node's {@link SecondLook}: bytes and requests of the second look, as the report
 * gives them, with the vet's time beside them.
 */
final class ConfirmBench {
    private static final Pattern REPO = Pattern.compile(".*/rest/mirroring/latest/repos/(\\d+)");
    private static final Pattern SYNC_STATUS =
            Pattern.compile(".*/rest/mirroring/latest/supportInfo/projects/([^/]+)/repos/repo-(\\d+)/repoSyncStatus");

    record Settings(int repositories, int projectsPerThousand, double drift, int runs, Path dir, boolean keep) {}

    /** One vet's second look at the node, and the vet's time. */
    private record Run(SecondLook look, long vetMs, long drifted) {}

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    ConfirmBench(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException, InterruptedException {
        // Bitbucket's Tomcat answers with TCP_NODELAY; the JDK's server does not unless told (read once, before its
        // first use), and each small answer then waits out the client's delayed ACK: 4.55 s against 1.58 s for the
        // per-repository vet of 100k repositories on this machine.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int size = settings.repositories();
        int projects = Math.max(1, (int) ((long) size * settings.projectsPerThousand() / 1000));
        Path dir = settings.dir().resolve("farm-" + Stats.count(size));
        long started = System.nanoTime();
        SyntheticFarm.Farm farm = new SyntheticFarm(size, projects, settings.drift(), 7, false).write(dir, 1);
        err.printf(
                Locale.ROOT,
                "farmvet bench: %s repositories in %d projects, 1 node: %s of listings written in %s%n",
                Stats.count(size),
                projects,
                Stats.mb(farm.totalBytes()),
                Stats.seconds(System.nanoTime() - started));
        ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);
        PrimaryTable primary = table(reader, farm.primary());
        PrimaryTable node = table(reader, farm.nodes().get(0).file());
        List<Run> perRepository = new ArrayList<>();
        List<Run> listings = new ArrayList<>();
        try (ListingFileServer server = new ListingFileServer(
                Map.of("primary", farm.primary(), "node-1", farm.nodes().get(0).file()))) {
            server.handle("primary", "rest/mirroring/latest/repos/", e -> answer(e, repository(e, primary)));
            server.handle("node-1", "rest/mirroring/latest/supportInfo/", e -> answer(e, syncStatus(e, node)));
            // One unmeasured vet each way first: class loading, JIT and the state store's first opening.
            for (int run = -1; run < settings.runs(); run++) {
                Run each = vet(server, Integer.MAX_VALUE, run);
                Run whole = vet(server, 0, run);
                if (run >= 0) {
                    perRepository.add(each);
                    listings.add(whole);
                }
            }
        } finally {
            if (!settings.keep()) {
                Files.deleteIfExists(farm.primary());
                Files.deleteIfExists(farm.nodes().get(0).file());
            }
        }
        report(farm, perRepository, listings);
        return 0;
    }

    private static PrimaryTable table(ListingReader reader, Path file) throws IOException {
        PrimaryTable table = new PrimaryTable();
        try (InputStream in = Files.newInputStream(file)) {
            reader.read(in, file.toString(), ListingKind.FULL, table);
        }
        return table;
    }

    private Run vet(ListingFileServer server, int perRepositoryMax, int run) throws IOException {
        Path state = Files.createTempDirectory("farmvet-bench-confirm");
        FarmvetConfig config = new FarmvetConfig(
                new FarmvetConfig.Farm("bench", Scope.ALL),
                new FarmvetConfig.Server(FarmvetConfig.PRIMARY_NAME, server.url("primary"), Auth.NONE),
                List.of(new FarmvetConfig.Server("node-1", server.url("node-1"), Auth.NONE)),
                new FarmvetConfig.Http(Duration.ofSeconds(5), Duration.ofSeconds(60), null),
                FarmvetConfig.Listing.DEFAULTS,
                new FarmvetConfig.Vet(Duration.ofMinutes(10)),
                new FarmvetConfig.Repair(
                        RepairSettings.builder()
                                .mode(RepairMode.AGENT)
                                .dryRun(true)
                                .settle(Duration.ofMillis(1))
                                .confirmPerRepositoryMax(perRepositoryMax)
                                .build(),
                        state.resolve("repairs.jsonl")),
                new FarmvetConfig.RestServer(
                        FarmvetConfig.DEFAULT_LISTEN_HOST, FarmvetConfig.DEFAULT_LISTEN_PORT, null, null),
                new FarmvetConfig.State(state),
                new FarmvetConfig.History(
                        FarmvetConfig.DEFAULT_KEEP_SUCCESSES,
                        FarmvetConfig.DEFAULT_KEEP_FAILURES,
                        FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES),
                state.resolve("bench.yaml"),
                null, // explain: the defaults
                null); // git: no server of kind git
        err.printf(
                Locale.ROOT,
                "farmvet bench: %s, second look %s...%n",
                run < 0 ? "warm-up" : "run " + (run + 1),
                perRepositoryMax == 0 ? "through the listings" : "per repository");
        // As `farmvet vet` sets it up: a connection per server.
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 2)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            VetReport report = vet.run(vet.newProgress());
            VetReport.NodeResult result = report.nodes().get(0);
            SecondLook look = result.secondLook();
            if (look == null) {
                throw new IOException(
                        "the vet made no second look: " + report.status().wireName() + ", node "
                                + result.status().wireName() + (result.error() == null ? "" : ": " + result.error()));
            }
            return new Run(look, report.durationMs(), result.inconsistencies().size());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot set up the HTTP client: " + e.getMessage(), e);
        }
    }

    private void report(SyntheticFarm.Farm farm, List<Run> perRepository, List<Run> listings) {
        out.println("# farmvet bench confirm");
        out.println("machine: " + Stats.machine());
        out.println("load average at end: " + Stats.loadAverage() + " (other processes share these cores)");
        out.printf(
                Locale.ROOT,
                "farm: %s repositories, %d projects per 1000, one node drifting on %.2f%% of them (%d drifted, no "
                        + "extra ones), %d run(s) of each way, medians%n",
                Stats.count(farm.repositories()),
                settings.projectsPerThousand(),
                settings.drift() * 100,
                perRepository.get(0).drifted(),
                settings.runs());
        out.println("bytes are the bodies read by the second look (after gzip; loopback serves them plain)");
        out.println();
        out.println("| second look | requests | bytes | whole vet (first look, settle, second look) |");
        out.println("|---|---|---|---|");
        row("per repository", perRepository);
        row("whole listings", listings);
        double ratio = Stats.median(bytes(listings)) / Math.max(1, Stats.median(bytes(perRepository)));
        out.println();
        out.println("whole listings / per repository, bytes: " + Stats.ratio(ratio));
        String reason = listings.get(0).look().reason();
        out.println("listings reason as reported: " + reason);
    }

    private void row(String way, List<Run> runs) {
        out.printf(
                Locale.ROOT,
                "| %s | %.0f | %s | %s |%n",
                way,
                Stats.median(runs.stream().map(r -> r.look().requests()).toList()),
                io.farmvet.util.Units.bytes((long) Stats.median(bytes(runs))),
                Stats.seconds(
                        Stats.median(runs.stream().map(r -> r.vetMs() * 1e6).toList())));
    }

    private static List<Long> bytes(List<Run> runs) {
        return runs.stream().map(r -> r.look().bytes()).toList();
    }

    /** The primary's {@code repos/{id}}, in Bitbucket's shape (links and project as a 9.x primary gives them). */
    private static String repository(HttpExchange exchange, PrimaryTable primary) {
        Matcher m = REPO.matcher(exchange.getRequestURI().getPath());
        int index = m.matches() ? primary.indexOf(Long.parseLong(m.group(1))) : -1;
        if (index < 0) {
            return null;
        }
        long id = primary.repositoryId(index);
        long project = primary.projectId(index);
        String key = "P" + project;
        String slug = "repo-" + id;
        String base = "https://bitbucket.example.com";
        return "{\"slug\":\"" + slug + "\",\"id\":" + id + ",\"name\":\"" + slug + "\",\"description\":\"\","
                + "\"hierarchyId\":\"" + Long.toHexString(id * 0x9E3779B97F4A7C15L) + "\",\"scmId\":\"git\","
                + "\"state\":\"AVAILABLE\",\"statusMessage\":\"Available\",\"forkable\":true,\"project\":{\"key\":\""
                + key + "\",\"id\":" + project + ",\"name\":\"Project " + project + "\",\"public\":false,"
                + "\"type\":\"NORMAL\",\"links\":{\"self\":[{\"href\":\"" + base + "/projects/" + key + "\"}]}},"
                + "\"public\":false,\"archived\":false,\"links\":{\"clone\":[{\"href\":\"ssh://git@"
                + "bitbucket.example.com:7999/" + key.toLowerCase(Locale.ROOT) + "/" + slug + ".git\",\"name\":"
                + "\"ssh\"},{\"href\":\"" + base + "/scm/" + key.toLowerCase(Locale.ROOT) + "/" + slug + ".git\","
                + "\"name\":\"http\"}],\"self\":[{\"href\":\"" + base + "/projects/" + key + "/repos/" + slug
                + "/browse\"}]},\"properties\":{\"contentHash\":\"" + primary.contentHex(index) + "\","
                + "\"metadataHash\":\"" + primary.metadataHex(index) + "\",\"defaultBranchId\":\"refs/heads/main\"}}";
    }

    /** The node's {@code repoSyncStatus}, in Bitbucket's shape; 404 for a repository it does not have. */
    private static String syncStatus(HttpExchange exchange, PrimaryTable node) {
        Matcher m = SYNC_STATUS.matcher(exchange.getRequestURI().getPath());
        int index = m.matches() ? node.indexOf(Long.parseLong(m.group(2))) : -1;
        if (index < 0 || !m.group(1).equals("P" + node.projectId(index))) {
            return null;
        }
        long id = node.repositoryId(index);
        return "{\"externalRepoId\":" + id + ",\"localRepoId\":" + (id + 100_000) + ",\"localProjectId\":"
                + node.projectId(index) + ",\"upstreamId\":\"B1Y4-4T3Q-AVXH-F3PZ\",\"repoSlug\":\"repo-" + id
                + "\",\"failedSyncCount\":0,\"initialSyncDate\":1764000000000,\"lastSyncDate\":1764500000000,"
                + "\"hashes\":{\"content\":\"" + node.contentHex(index) + "\",\"metadata\":\""
                + node.metadataHex(index) + "\"}}";
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        try (exchange) {
            byte[] body = (json == null ? "{\"errors\":[{\"message\":\"not found\"}]}" : json)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(json == null ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

package io.farmvet.bench;

import io.farmvet.compare.Scope;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.RepositoryPath;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Repository;

/**
 * {@code farmvet bench git} (issues 13 and 17, "ls-remote listings"): a farm of three servers of kind {@code git}
 * (a primary and two nodes) over loopback smart HTTP ({@link GitBenchServer}, JGit's UploadPack, protocol v2),
 * listed by the real {@link Vet} as {@code farmvet vet} runs it, against a loop of {@code git ls-remote} CLI calls
 * on the same repositories of the same servers, {@value #CLI_PARALLEL} at a time. Runs alternate between the two
 * sides so that both see the same machine; medians are reported.
 *
 * <p>Both sides are checked, so neither can be fast by doing less: the vet must find exactly the repositories
 * {@code mirror-2} drifts on (one in {@code --drift-every}), and every CLI answer must name the {@code main} its
 * server holds. The repositories are {@link BenchRepositories}' in memory ({@link InMemoryRepository}): building
 * 10,000 takes seconds, and the server reads no disk, so that the figure is the listing's, not the file system's.
 */
final class GitBench {
    static final int CLI_PARALLEL = 8;
    private static final int REPOSITORIES_PER_PROJECT = 100;
    private static final List<String> SERVERS = List.of(FarmvetConfig.PRIMARY_NAME, "mirror-1", "mirror-2");

    record Settings(int repositories, int runs, int concurrency, int driftEvery) {}

    private record VetRun(long nanos, long bytes, long connections) {}

    private record CliRun(long nanos, long connections) {}

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    GitBench(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run() throws Exception {
        long started = System.nanoTime();
        List<RepositoryPath> paths = new ArrayList<>();
        Map<String, Repository> served = new LinkedHashMap<>();
        Map<String, Repository> drifted = new LinkedHashMap<>();
        int drifts = 0;
        for (int n = 0; n < settings.repositories(); n++) {
            RepositoryPath path = new RepositoryPath(
                    String.format(Locale.ROOT, "P%04d", n / REPOSITORIES_PER_PROJECT),
                    String.format(Locale.ROOT, "repo-%05d", n));
            paths.add(path);
            String key = path.projectKey() + "/" + path.slug() + ".git";
            Repository repository = inMemory(key, n);
            served.put(key, repository);
            if (n % settings.driftEvery() == settings.driftEvery() - 1) {
                // Another history for mirror-2: every ref differs from the primary's.
                drifted.put(key, inMemory(key, n + settings.repositories()));
                drifts++;
            } else {
                drifted.put(key, repository);
            }
        }
        err.printf(
                Locale.ROOT,
                "farmvet bench: %s repositories in memory (%d drifted on mirror-2) built in %s%n",
                Stats.count(settings.repositories()),
                drifts,
                Stats.seconds(System.nanoTime() - started));
        List<Map<String, Repository>> contents = List.of(served, served, drifted);
        List<GitBenchServer> servers = new ArrayList<>();
        try {
            for (Map<String, Repository> content : contents) {
                servers.add(new GitBenchServer(content));
            }
            return measure(paths, servers, contents, drifts);
        } finally {
            for (GitBenchServer server : servers) {
                server.close();
            }
        }
    }

    private int measure(
            List<RepositoryPath> paths,
            List<GitBenchServer> servers,
            List<Map<String, Repository>> contents,
            int drifts)
            throws Exception {
        FarmvetConfig config = config(paths, servers);
        List<VetRun> vets = new ArrayList<>();
        List<CliRun> clis = new ArrayList<>();
        // Unmeasured first: class loading and JIT on one side, the git binaries into the page cache on the other.
        err.println("farmvet bench: warm-up vet...");
        VetRun cold = vet(config, servers, drifts);
        cli(paths.subList(0, Math.min(paths.size(), 4 * CLI_PARALLEL)), servers, contents);
        for (int run = 0; run < settings.runs(); run++) {
            vets.add(vet(config, servers, drifts));
            clis.add(cli(paths, servers, contents));
            err.printf(
                    Locale.ROOT,
                    "farmvet bench:   run %d: farmvet vet %s, git ls-remote loop %s%n",
                    run + 1,
                    Stats.seconds(vets.get(run).nanos()),
                    Stats.seconds(clis.get(run).nanos()));
        }
        report(paths.size(), drifts, cold, vets, clis);
        return 0;
    }

    private static Repository inMemory(String name, int n) throws IOException {
        InMemoryRepository repository = new InMemoryRepository(new DfsRepositoryDescription(name));
        BenchRepositories.fill(repository, n);
        return repository;
    }

    private FarmvetConfig config(List<RepositoryPath> paths, List<GitBenchServer> servers) throws IOException {
        Path state = Files.createTempDirectory("farmvet-bench-git");
        List<FarmvetConfig.Server> nodes = new ArrayList<>();
        for (int i = 1; i < servers.size(); i++) {
            nodes.add(server(SERVERS.get(i), servers.get(i)));
        }
        return new FarmvetConfig(
                new FarmvetConfig.Farm("bench", Scope.ALL),
                server(FarmvetConfig.PRIMARY_NAME, servers.get(0)),
                nodes,
                new FarmvetConfig.Http(Duration.ofSeconds(5), Duration.ofSeconds(60), null),
                FarmvetConfig.Listing.DEFAULTS,
                new FarmvetConfig.Vet(Duration.ofMinutes(30)),
                new FarmvetConfig.Repair(
                        RepairSettings.builder().mode(RepairMode.NONE).build(), state.resolve("repairs.jsonl")),
                new FarmvetConfig.RestServer(
                        FarmvetConfig.DEFAULT_LISTEN_HOST, FarmvetConfig.DEFAULT_LISTEN_PORT, null, null),
                new FarmvetConfig.State(state),
                new FarmvetConfig.History(
                        FarmvetConfig.DEFAULT_KEEP_SUCCESSES,
                        FarmvetConfig.DEFAULT_KEEP_FAILURES,
                        FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES),
                state.resolve("bench.yaml"),
                null, // explain: the defaults, as farmvet vet runs it
                new FarmvetConfig.Git(settings.concurrency(), paths, FarmvetConfig.Git.UNLIMITED_RATE));
    }

    private static FarmvetConfig.Server server(String name, GitBenchServer server) {
        return new FarmvetConfig.Server(
                name,
                URI.create(server.baseUrl()),
                Auth.NONE,
                null,
                FarmvetConfig.Server.Kind.GIT,
                server.urlTemplate());
    }

    /** One real vet of the three servers, as {@code farmvet vet} sets it up; fails unless its verdicts are right. */
    private VetRun vet(FarmvetConfig config, List<GitBenchServer> servers, int drifts) throws IOException {
        long connectionsBefore = connections(servers);
        long start = System.nanoTime();
        VetReport report;
        try (ListingFetcher fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), servers.size())) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            report = vet.run(vet.newProgress());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the HTTP client: " + e.getMessage(), e);
        }
        long nanos = System.nanoTime() - start;
        long repositories = settings.repositories();
        VetReport.NodeResult mirror1 = report.nodes().get(0);
        VetReport.NodeResult mirror2 = report.nodes().get(1);
        if (report.primary().error() != null
                || report.primary().repositories() == null
                || report.primary().repositories() != repositories
                || mirror1.status() != VetReport.NodeStatus.VETTED
                || mirror2.status() != VetReport.NodeStatus.VETTED
                || !mirror1.inconsistencies().isEmpty()
                || mirror2.inconsistencies().size() != drifts) {
            throw new IOException("the vet's verdicts are wrong: " + report.status() + ", primary "
                    + report.primary().repositories() + " repositories ("
                    + report.primary().error() + "), mirror-1 "
                    + mirror1.inconsistencies().size() + " inconsistencies (" + mirror1.error() + "), mirror-2 "
                    + mirror2.inconsistencies().size() + " of " + drifts + " expected (" + mirror2.error() + ")");
        }
        long bytes = report.primary().bytes() + mirror1.bytes() + mirror2.bytes();
        return new VetRun(nanos, bytes, connections(servers) - connectionsBefore);
    }

    /**
     * {@code git ls-remote} of every repository of every server, {@value #CLI_PARALLEL} at a time, as
     * {@code xargs -P 8} would; fails unless every answer names the {@code main} its server holds.
     */
    private CliRun cli(List<RepositoryPath> paths, List<GitBenchServer> servers, List<Map<String, Repository>> contents)
            throws IOException, InterruptedException {
        long connectionsBefore = connections(servers);
        ExecutorService pool = Executors.newFixedThreadPool(CLI_PARALLEL, NamedThreads.of("bench-git-cli"));
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < servers.size(); s++) {
                GitBenchServer server = servers.get(s);
                Map<String, Repository> content = contents.get(s);
                for (RepositoryPath path : paths) {
                    String key = path.projectKey() + "/" + path.slug() + ".git";
                    done.add(pool.submit(() -> {
                        lsRemote(server.baseUrl() + "/" + key, content.get(key));
                        return null;
                    }));
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException(
                    "the git ls-remote loop failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new CliRun(System.nanoTime() - start, connections(servers) - connectionsBefore);
    }

    private static void lsRemote(String url, Repository expected) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("git", "-c", "protocol.version=2", "ls-remote", url)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        String main = expected.exactRef("refs/heads/main").getObjectId().name();
        if (p.waitFor() != 0 || !output.contains(main + "\trefs/heads/main\n")) {
            throw new IOException("git ls-remote " + url + " did not list refs/heads/main at " + main + ": " + output);
        }
    }

    private static long connections(List<GitBenchServer> servers) {
        return servers.stream().mapToLong(GitBenchServer::connections).sum();
    }

    private void report(int repositories, int drifts, VetRun cold, List<VetRun> vets, List<CliRun> clis) {
        double vet = Stats.median(vets.stream().map(VetRun::nanos).toList());
        double cli = Stats.median(clis.stream().map(CliRun::nanos).toList());
        long lsRemotes = (long) repositories * SERVERS.size();
        out.println("# farmvet bench git");
        out.println("machine: " + Stats.machine());
        out.println("load average at the end: " + Stats.loadAverage() + " (other processes share these cores)");
        out.printf(
                Locale.ROOT,
                "%s repositories x %d servers (primary, mirror-1, mirror-2 drifting on %d) = %s ls-remotes over loopback"
                        + " smart HTTP (JGit UploadPack, protocol v2), %d run(s) of each side, medians%n%n",
                Stats.count(repositories),
                SERVERS.size(),
                drifts,
                Stats.count(lsRemotes),
                settings.runs());
        out.println("| method | time | ls-remotes/s | HTTP connections | vs git CLI loop |");
        out.println("|---|---:|---:|---:|---:|");
        out.printf(
                Locale.ROOT,
                "| `git ls-remote` loop, %d at a time | %s | %.0f | %.0f | baseline |%n",
                CLI_PARALLEL,
                Stats.seconds(cli),
                lsRemotes / (cli / 1e9),
                Stats.median(clis.stream().map(CliRun::connections).toList()));
        out.printf(
                Locale.ROOT,
                "| farmvet vet (git.concurrency %d per server, 3 servers at once) | %s | %.0f | %.0f | %s faster |%n",
                settings.concurrency(),
                Stats.seconds(vet),
                lsRemotes / (vet / 1e9),
                Stats.median(vets.stream().map(VetRun::connections).toList()),
                Stats.ratio(cli / vet));
        out.println();
        out.printf(
                Locale.ROOT,
                "first (unmeasured) vet: %s; listing bytes in the report: %s per vet%n",
                Stats.seconds(cold.nanos()),
                io.farmvet.util.Units.bytes(
                        (long) Stats.median(vets.stream().map(VetRun::bytes).toList())));
    }
}

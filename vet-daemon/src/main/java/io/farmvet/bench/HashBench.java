package io.farmvet.bench;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.git.FileTrees;
import io.farmvet.git.FleetHasher;
import io.farmvet.git.FleetSummary;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * {@code farmvet bench hash} (issue 4): hashes a few thousand small real bare repositories in-process with
 * {@link FleetHasher}, with a cold and a warm {@link RepositoryHasher} cache, and with the contract's {@code git}
 * one-liner run as one process pipeline per repository; checks that every content hash agrees, and reports
 * medians and ratios. Both sides run {@link FleetHasher#DEFAULT_PARALLELISM} repositories at a time (the CLI side
 * as {@code xargs -P} would), and both read a warm OS page cache: "cold" is the hasher's own cache.
 *
 * <p>The repositories are {@link BenchRepositories}' (same object ids on every run).
 */
final class HashBench {
    static final String ONE_LINER = "git for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags"
            + " | LC_ALL=C sort -k2 | sha256sum";

    private static final int REPOSITORIES_PER_PROJECT = 100;

    private final int repositories;
    private final int runs;
    private final Path dir;
    private final boolean keep;
    private final PrintStream out;
    private final PrintStream err;

    HashBench(int repositories, int runs, Path dir, boolean keep, PrintStream out, PrintStream err) {
        this.repositories = repositories;
        this.runs = runs;
        this.dir = dir;
        this.keep = keep;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException, InterruptedException {
        Path root = dir.resolve("repos");
        FileTrees.delete(root);
        long start = System.nanoTime();
        List<Path> repos = build(root);
        err.printf(
                Locale.ROOT,
                "farmvet bench: built %d bare repositories in %s%n",
                repos.size(),
                Stats.seconds(System.nanoTime() - start));
        // RepositoryHasher caches a result only when the newest ref file is older than its racy-git window (2 s):
        // wait that out, or the "warm" runs would hash everything again.
        Thread.sleep(RepositoryHasher.RACY_WINDOW.toMillis() + 200);
        int parallelism = FleetHasher.DEFAULT_PARALLELISM;

        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> cli = new ArrayList<>();
        Map<Path, String> inProcess = new ConcurrentHashMap<>();
        Map<Path, String> byCli = new ConcurrentHashMap<>();
        long hits = 0;
        for (int run = 0; run < runs; run++) {
            RepositoryHasher hasher = new RepositoryHasher(RepositoryHasher.DEFAULT_REF_PREFIXES, Clock.systemUTC());
            FleetHasher fleet = new FleetHasher(hasher, parallelism);
            cold.add(hashAll(fleet, root, inProcess));
            long hitsBefore = hasher.cacheHits();
            warm.add(hashAll(fleet, root, inProcess));
            hits = hasher.cacheHits() - hitsBefore;
            cli.add(cli(repos, parallelism, byCli));
            err.printf(
                    Locale.ROOT,
                    "farmvet bench:   run %d: in-process cold %s, warm %s, git CLI %s%n",
                    run + 1,
                    Stats.seconds(cold.get(run)),
                    Stats.seconds(warm.get(run)),
                    Stats.seconds(cli.get(run)));
        }
        int mismatches = 0;
        for (Path repo : repos) {
            String expected = byCli.get(repo);
            if (expected == null || !expected.equals(inProcess.get(repo.toRealPath()))) {
                if (mismatches++ < 5) {
                    err.println("farmvet bench: " + repo + ": git CLI " + expected + ", in-process "
                            + inProcess.get(repo.toRealPath()));
                }
            }
        }
        if (mismatches > 0) {
            err.println("farmvet bench: " + mismatches + " of " + repos.size() + " content hashes disagree");
            return BenchCommand.EXIT_FAILED;
        }
        double c = Stats.median(cold);
        double w = Stats.median(warm);
        double g = Stats.median(cli);
        out.println("# farmvet bench hash");
        out.println("machine: " + Stats.machine());
        out.println("load average at the end: " + Stats.loadAverage() + " (other processes share these cores)");
        out.printf(
                Locale.ROOT,
                "%d bare repositories (2-4 branches, 2 tags each), %d at a time on both sides, %d run(s), medians;"
                        + " all %d content hashes agree with the git CLI; warm runs: %d cache hits%n%n",
                repos.size(),
                parallelism,
                runs,
                repos.size(),
                hits);
        out.println("| method | time | repositories/s | vs git CLI |");
        out.println("|---|---:|---:|---:|");
        row("git CLI one-liner, one pipeline per repository", g, g);
        row("in-process (FleetHasher), cold cache", c, g);
        row("in-process (FleetHasher), warm cache", w, g);
        out.println();
        out.println("git CLI: `" + ONE_LINER + "`");
        if (!keep) {
            FileTrees.delete(root);
        }
        return 0;
    }

    private void row(String method, double nanos, double cliNanos) {
        out.printf(
                Locale.ROOT,
                "| %s | %s | %.0f | %s |%n",
                method,
                Stats.seconds(nanos),
                repositories / (nanos / 1e9),
                nanos == cliNanos ? "baseline" : Stats.ratio(cliNanos / nanos) + " faster");
    }

    private double hashAll(FleetHasher fleet, Path root, Map<Path, String> into)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        FleetSummary summary = fleet.hashAll(root, outcome -> {
            if (outcome instanceof RepositoryOutcome.Hashed hashed) {
                into.put(hashed.path(), hashed.hashes().contentHash());
            } else if (outcome instanceof RepositoryOutcome.Failed failed) {
                throw new IllegalStateException(
                        failed.path() + ": " + failed.cause().getMessage(), failed.cause());
            }
        });
        long nanos = System.nanoTime() - start;
        if (summary.hashed() != repositories) {
            throw new IllegalStateException("hashed " + summary.hashed() + " of " + repositories + " repositories");
        }
        return nanos;
    }

    private double cli(List<Path> repos, int parallelism, Map<Path, String> into)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, NamedThreads.of("bench-git-cli"));
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Path repo : repos) {
                done.add(pool.submit(() -> {
                    Process p = new ProcessBuilder("sh", "-c", ONE_LINER)
                            .directory(repo.toFile())
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
                    String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    if (p.waitFor() != 0 || line.length() < 64) {
                        throw new IOException(repo + ": the git one-liner failed: " + line);
                    }
                    into.put(repo, line.substring(0, 64));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("git CLI run failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return System.nanoTime() - start;
    }

    /** Builds the repositories on two threads; returns their directories. */
    private List<Path> build(Path root) throws IOException, InterruptedException {
        ExecutorService pool =
                Executors.newFixedThreadPool(FleetHasher.DEFAULT_PARALLELISM, NamedThreads.of("bench-build"));
        List<Future<Path>> built = new ArrayList<>();
        for (int i = 0; i < repositories; i++) {
            int n = i;
            Path repo = root.resolve(String.format(Locale.ROOT, "P%04d", i / REPOSITORIES_PER_PROJECT))
                    .resolve(String.format(Locale.ROOT, "repo-%05d.git", i));
            built.add(pool.submit(() -> buildOne(repo, n)));
        }
        List<Path> repos = new ArrayList<>();
        try {
            for (Future<Path> f : built) {
                repos.add(f.get());
            }
        } catch (ExecutionException e) {
            throw new IOException("building the repositories failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return repos;
    }

    private static Path buildOne(Path gitDir, int n) throws IOException {
        Files.createDirectories(gitDir);
        try (Repository repo =
                new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build()) {
            repo.create(true);
            BenchRepositories.fill(repo, n);
        }
        return gitDir;
    }
}

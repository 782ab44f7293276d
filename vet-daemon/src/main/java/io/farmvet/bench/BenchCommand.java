package io.farmvet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code farmvet bench vet|hash}: the benchmarks of issue 7 and issue 4. Turns the options into the settings of
 * {@link VetBench} or {@link HashBench} and runs it; the tables go to stdout (Markdown, ready for the README),
 * progress to stderr. Counts take {@code k} and {@code M} suffixes ({@code 10k}, {@code 1M}).
 */
@Command(
        name = "bench",
        header = "benchmarks: a synthetic farm vetted against jq and a token scan; hashing against git",
        synopsisSubcommandLabel = "vet|hash|confirm|git",
        subcommands = {
            BenchCommand.Vet.class,
            BenchCommand.Hash.class,
            BenchCommand.Confirm.class,
            BenchCommand.Git.class
        },
        description = {
            "The benchmarks: a synthetic farm vetted against the jq recipe and a token scan (bench vet);"
                    + " hashing real repositories in-process against the git CLI (bench hash).",
            "Tables go to stdout as Markdown, progress to stderr."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "2:the benchmark failed", "3:bad usage, or no benchmark named"})
public final class BenchCommand implements Callable<Integer> {
    public static final int EXIT_FAILED = 2;
    public static final int EXIT_USAGE = 3;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code farmvet bench} alone names no benchmark: bad usage, like {@code farmvet} alone. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    /** Runs one benchmark; usage errors are thrown, anything else that goes wrong is exit 2. */
    private int run(Benchmark benchmark) {
        try {
            return benchmark.run(out, err);
        } catch (IOException e) {
            err.println("farmvet bench: " + e.getMessage());
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("farmvet bench: interrupted");
            return EXIT_FAILED;
        } catch (Exception e) {
            // A server that would not start (bench git's Jetty), or a bug: still exit 2 with the reason.
            err.println("farmvet bench: " + e);
            return EXIT_FAILED;
        }
    }

    @FunctionalInterface
    private interface Benchmark {
        int run(PrintStream out, PrintStream err) throws Exception;
    }

    @Command(
            name = "vet",
            header = "time a vet of a synthetic farm against the jq recipe and a token scan",
            description = {
                "Writes a synthetic farm per size (--projects-per-1000 projects per 1000 repositories, each node drifting on --drift"
                        + " of them), serves it over loopback HTTP, and times the real vet in a fresh JVM with"
                        + " --heap, side by side with the jq recipe and a bare Jackson token scan on the same"
                        + " bytes. jq is skipped when it is not installed.",
                "About 7 minutes with the defaults."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done", "2:the benchmark failed", "3:bad usage"})
    static final class Vet implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--sizes",
                paramLabel = "N,N,...",
                defaultValue = "10k,100k,1M",
                description = "farm sizes in repositories; default: ${DEFAULT-VALUE}")
        String sizes;

        @Option(names = "--repos", paramLabel = "N", description = "one farm size, instead of --sizes")
        String repos;

        @Option(
                names = "--projects-per-1000",
                paramLabel = "P",
                defaultValue = "10",
                description = "projects per 1000 repositories; default: ${DEFAULT-VALUE}")
        String projectsPerThousand;

        @Option(
                names = "--nodes",
                paramLabel = "N",
                defaultValue = "4",
                description = "nodes vetted at every size; default: ${DEFAULT-VALUE}")
        String nodes;

        @Option(
                names = "--node-counts",
                paramLabel = "N,N,...",
                defaultValue = "1,8",
                description = "further node counts, vetted at the largest size only; default: ${DEFAULT-VALUE}")
        String nodeCounts;

        @Option(
                names = "--runs",
                paramLabel = "K",
                defaultValue = "5",
                description = "measured runs (medians are reported); default: ${DEFAULT-VALUE}")
        String runs;

        @Option(
                names = "--warmup",
                paramLabel = "W",
                defaultValue = "1",
                description = "warm-up runs before them; default: ${DEFAULT-VALUE}")
        String warmup;

        @Option(
                names = "--jq-runs",
                paramLabel = "J",
                defaultValue = "1",
                description = "runs of the jq recipe, 0 for none; default: ${DEFAULT-VALUE}")
        String jqRuns;

        @Option(
                names = "--drift",
                paramLabel = "F",
                defaultValue = "0.01",
                description = "fraction of repositories each node drifts on; default: ${DEFAULT-VALUE}")
        String drift;

        @Option(
                names = "--heap",
                paramLabel = "SIZE",
                defaultValue = VetBench.DEFAULT_HEAP,
                description = "the vet JVM's -Xmx; default: ${DEFAULT-VALUE}")
        String heap;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "where the farm is written; default: target/bench-vet")
        Path dir;

        @Option(names = "--keep", description = "keep the listings written")
        boolean keep;

        @Override
        public Integer call() {
            VetBench.Settings settings;
            try {
                settings = settings();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            return bench.run((out, err) -> new VetBench(settings, out, err).run());
        }

        private VetBench.Settings settings() {
            List<Integer> sizeList = new ArrayList<>();
            String sizeOption = repos != null ? "--repos" : "--sizes";
            for (String size : (repos != null ? repos : sizes).split(",")) {
                sizeList.add(positive(sizeOption, size));
            }
            List<Integer> counts = new ArrayList<>();
            for (String n : nodeCounts.split(",")) {
                counts.add(positive("--node-counts", n));
            }
            double fraction;
            try {
                fraction = Double.parseDouble(drift);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--drift must be a fraction such as 0.01, not '" + drift + "'");
            }
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("--drift must be between 0 and 1, not '" + drift + "'");
            }
            if (!heap.matches("[0-9]+[kKmMgG]?")) {
                throw new IllegalArgumentException("--heap must be a JVM size such as 256m, not '" + heap + "'");
            }
            return new VetBench.Settings(
                    sizeList,
                    positive("--projects-per-1000", projectsPerThousand),
                    counts,
                    positive("--nodes", nodes),
                    positive("--runs", runs),
                    nonNegative("--warmup", warmup),
                    nonNegative("--jq-runs", jqRuns),
                    fraction,
                    heap,
                    folder(dir, "bench-vet"),
                    keep);
        }
    }

    @Command(
            name = "hash",
            header = "time hashing real repositories in-process against the git CLI",
            description = {
                "Builds small real bare repositories with JGit on a fixed clock, hashes them in-process (cold and"
                        + " warm cache) and with the git for-each-ref one-liner per repository, checks that every"
                        + " hash agrees, and reports medians. Under a minute with the defaults."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done", "2:the benchmark failed", "3:bad usage"})
    static final class Hash implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--repos",
                paramLabel = "R",
                defaultValue = "2000",
                description = "repositories; default: ${DEFAULT-VALUE}")
        String repos;

        @Option(names = "--runs", paramLabel = "K", defaultValue = "3", description = "runs; default: ${DEFAULT-VALUE}")
        String runs;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "where the repositories are built; default: target/bench-hash")
        Path dir;

        @Option(names = "--keep", description = "keep the repositories built")
        boolean keep;

        @Override
        public Integer call() {
            int repositories;
            int runCount;
            try {
                repositories = positive("--repos", repos);
                runCount = positive("--runs", runs);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            Path folder = folder(dir, "bench-hash");
            return bench.run((out, err) -> new HashBench(repositories, runCount, folder, keep, out, err).run());
        }
    }

    @Command(
            name = "confirm",
            header = "bytes of the repair step's second look: per repository against whole listings",
            description = {
                "Writes a synthetic primary and one node drifting on --drift of its repositories, serves the"
                        + " listings and the per-repository endpoints (the primary's repos/{id}, the node's"
                        + " repoSyncStatus) over loopback, and runs the real vet in dry-run twice per run: once"
                        + " confirming per repository, once through the whole listings. Reports the second look's"
                        + " requests and bytes as the vet's report gives them. About a minute with the defaults."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done", "2:the benchmark failed", "3:bad usage"})
    static final class Confirm implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--repos",
                paramLabel = "N",
                defaultValue = "1M",
                description = "repositories; default: ${DEFAULT-VALUE}")
        String repos;

        @Option(
                names = "--projects-per-1000",
                paramLabel = "P",
                defaultValue = "10",
                description = "projects per 1000 repositories; default: ${DEFAULT-VALUE}")
        String projectsPerThousand;

        @Option(
                names = "--drift",
                paramLabel = "F",
                defaultValue = "0.001",
                description = "fraction of repositories the node drifts on; default: ${DEFAULT-VALUE}")
        String drift;

        @Option(names = "--runs", paramLabel = "K", defaultValue = "3", description = "runs; default: ${DEFAULT-VALUE}")
        String runs;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "where the listings are written; default: target/bench-confirm")
        Path dir;

        @Option(names = "--keep", description = "keep the listings written")
        boolean keep;

        @Override
        public Integer call() {
            ConfirmBench.Settings settings;
            try {
                double fraction = Double.parseDouble(drift);
                if (!(fraction > 0 && fraction <= 1)) {
                    throw new IllegalArgumentException(
                            "--drift must be more than 0 and at most 1, not '" + drift + "'");
                }
                settings = new ConfirmBench.Settings(
                        positive("--repos", repos),
                        positive("--projects-per-1000", projectsPerThousand),
                        fraction,
                        positive("--runs", runs),
                        folder(dir, "bench-confirm"),
                        keep);
            } catch (NumberFormatException e) {
                throw new ParameterException(
                        spec.commandLine(), "--drift must be a fraction such as 0.001, not '" + drift + "'", e);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            return bench.run((out, err) -> new ConfirmBench(settings, out, err).run());
        }
    }

    @Command(
            name = "git",
            header = "time listing servers of kind git against a parallel git ls-remote loop",
            description = {
                "Serves --repositories small repositories from memory on three loopback smart-HTTP servers (JGit's"
                        + " UploadPack, protocol v2; one node drifting on one in --drift-every), vets them with the"
                        + " real vet as servers of kind git, and runs git ls-remote on every repository of every"
                        + " server, " + GitBench.CLI_PARALLEL + " at a time; checks both sides' answers and reports"
                        + " medians. A few minutes with the defaults; --repositories 1000 for a quick look."
            },
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done", "2:the benchmark failed", "3:bad usage"})
    static final class Git implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--repositories",
                paramLabel = "N",
                defaultValue = "10k",
                description = "repositories per server; default: ${DEFAULT-VALUE}")
        String repositories;

        @Option(names = "--runs", paramLabel = "K", defaultValue = "3", description = "runs; default: ${DEFAULT-VALUE}")
        String runs;

        @Option(
                names = "--concurrency",
                paramLabel = "C",
                defaultValue = "8",
                description = "farmvet's git.concurrency (ls-remotes at once per server); default: ${DEFAULT-VALUE}")
        String concurrency;

        @Option(
                names = "--drift-every",
                paramLabel = "D",
                defaultValue = "100",
                description = "mirror-2 drifts on one repository in D; default: ${DEFAULT-VALUE}")
        String driftEvery;

        @Override
        public Integer call() {
            GitBench.Settings settings;
            try {
                int c = positive("--concurrency", concurrency);
                if (c > io.farmvet.config.FarmvetConfig.Git.MAX_CONCURRENCY) {
                    throw new IllegalArgumentException("--concurrency must be at most "
                            + io.farmvet.config.FarmvetConfig.Git.MAX_CONCURRENCY + " (git.concurrency's bound), not '"
                            + concurrency + "'");
                }
                settings = new GitBench.Settings(
                        positive("--repositories", repositories),
                        positive("--runs", runs),
                        c,
                        positive("--drift-every", driftEvery));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            return bench.run((out, err) -> new GitBench(settings, out, err).run());
        }
    }

    private static Path folder(Path dir, String name) {
        return (dir != null ? dir : Path.of("target", name)).toAbsolutePath();
    }

    private static int positive(String name, String text) {
        int n = nonNegative(name, text);
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, not '" + text + "'");
        }
        return n;
    }

    private static int nonNegative(String name, String text) {
        int n;
        try {
            n = Stats.parseCount(text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    name + " must be a whole number (k and M suffixes allowed), not '" + text + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException(name + " must not be negative, not '" + text + "'");
        }
        return n;
    }
}

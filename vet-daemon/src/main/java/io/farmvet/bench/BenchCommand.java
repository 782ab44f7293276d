package io.farmvet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code farmvet bench vet|hash [options]}: the benchmarks of issue 7 and issue 4. Parses the options and runs
 * {@link VetBench} or {@link HashBench}; the tables go to stdout (Markdown, ready for the README), progress to
 * stderr. Exit codes: 0 done, 2 the benchmark failed, 3 bad usage.
 */
public final class BenchCommand {
    public static final int EXIT_FAILED = 2;
    public static final int EXIT_USAGE = 3;

    static final String USAGE = """
            usage: farmvet bench vet [--sizes 10k,100k,1M] [--repos R] [--projects-per-1000 P] [--nodes N]
                                     [--node-counts 1,8] [--runs K] [--warmup W] [--jq-runs J]
                                     [--drift F] [--heap 256m] [--dir DIR] [--keep]
                   farmvet bench hash [--repos R] [--runs K] [--dir DIR] [--keep]
            """;

    private static final Set<String> VET_OPTIONS = Set.of(
            "--sizes",
            "--repos",
            "--projects-per-1000",
            "--nodes",
            "--node-counts",
            "--runs",
            "--warmup",
            "--jq-runs",
            "--drift",
            "--heap",
            "--dir");
    private static final Set<String> HASH_OPTIONS = Set.of("--repos", "--runs", "--dir");
    private static final Set<String> FLAGS = Set.of("--keep");

    private BenchCommand() {}

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print(USAGE);
            return EXIT_USAGE;
        }
        String which = args.get(0);
        Map<String, String> options = new HashMap<>();
        try {
            switch (which) {
                case "vet" -> {
                    parse(args.subList(1, args.size()), VET_OPTIONS, options);
                    return new VetBench(vetSettings(options), out, err).run();
                }
                case "hash" -> {
                    parse(args.subList(1, args.size()), HASH_OPTIONS, options);
                    int repos = Stats.parseCount(options.getOrDefault("--repos", "2000"));
                    int runs = positive(options, "--runs", "3");
                    if (repos < 1) {
                        throw new IllegalArgumentException("--repos must be 1 or more");
                    }
                    return new HashBench(
                                    repos, runs, dir(options, "bench-hash"), options.containsKey("--keep"), out, err)
                            .run();
                }
                default -> throw new IllegalArgumentException("unknown benchmark '" + which + "': vet or hash");
            }
        } catch (IllegalArgumentException e) {
            err.println("farmvet bench: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("farmvet bench: " + e.getMessage());
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("farmvet bench: interrupted");
            return EXIT_FAILED;
        }
    }

    private static VetBench.Settings vetSettings(Map<String, String> options) {
        List<Integer> sizes = new ArrayList<>();
        String sizeList = options.containsKey("--repos")
                ? options.get("--repos")
                : options.getOrDefault("--sizes", "10k,100k,1M");
        for (String size : sizeList.split(",")) {
            int n = Stats.parseCount(size);
            if (n < 1) {
                throw new IllegalArgumentException("--sizes: " + size + " is not a positive count");
            }
            sizes.add(n);
        }
        int nodes = positive(options, "--nodes", "4");
        List<Integer> nodeCounts = new ArrayList<>();
        for (String n : options.getOrDefault("--node-counts", "1,8").split(",")) {
            nodeCounts.add(Stats.parseCount(n));
        }
        if (nodeCounts.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("--node-counts must be positive counts");
        }
        double drift;
        try {
            drift = Double.parseDouble(options.getOrDefault("--drift", "0.01"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--drift must be a fraction such as 0.01");
        }
        if (!(drift >= 0 && drift <= 1)) {
            throw new IllegalArgumentException("--drift must be between 0 and 1");
        }
        String heap = options.getOrDefault("--heap", VetBench.DEFAULT_HEAP);
        if (!heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--heap must be a JVM size such as 256m");
        }
        return new VetBench.Settings(
                sizes,
                positive(options, "--projects-per-1000", "10"),
                nodeCounts,
                nodes,
                positive(options, "--runs", "5"),
                nonNegative(options, "--warmup", "1"),
                nonNegative(options, "--jq-runs", "1"),
                drift,
                heap,
                dir(options, "bench-vet"),
                options.containsKey("--keep"));
    }

    private static Path dir(Map<String, String> options, String name) {
        return Path.of(options.getOrDefault("--dir", Path.of("target", name).toString()))
                .toAbsolutePath();
    }

    private static int positive(Map<String, String> options, String name, String fallback) {
        int n = nonNegative(options, name, fallback);
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more");
        }
        return n;
    }

    private static int nonNegative(Map<String, String> options, String name, String fallback) {
        String text = options.getOrDefault(name, fallback);
        try {
            int n = Stats.parseCount(text);
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + text + "'");
        }
    }

    private static void parse(List<String> args, Set<String> valued, Map<String, String> into) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (FLAGS.contains(arg)) {
                into.put(arg, "");
            } else if (valued.contains(arg)) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                into.put(arg, args.get(++i));
            } else {
                throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
    }
}

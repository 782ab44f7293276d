package io.farmvet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code farmvet bench vet}: one full vet through the real {@code Vet} call against a synthetic farm served from
 * disk over loopback HTTP, side by side with two baselines on the same bytes: the jq recipe from Bitbucket's
 * documentation and a bare Jackson token scan.
 *
 * <p>For each farm size the listings are generated once (primary and the largest node count asked for), served by a
 * {@link ListingFileServer}, and measured by a {@link VetProbe} in a fresh JVM with the heap limit, once per node
 * count; the jq recipe runs here, one process at a time. Times are medians over {@code runs} after {@code warmup}
 * runs and, if any, {@value VetProbe#WARMUP_SECONDS} s of warm-up; ratios are of medians measured in the same run
 * on the same files, never against numbers from elsewhere.
 */
final class VetBench {
    /** The issue-7 target: a vet of a million repositories must pass in a 256 MB heap. */
    static final String DEFAULT_HEAP = "256m";

    /** The filter Bitbucket's "Monitoring your mirror farm" page gives for diffing two listings. */
    static final String JQ_FILTER = ".projects | sort | .[].repositories |= sort_by(.id)";

    record Settings(
            List<Integer> sizes,
            int projectsPerThousand,
            List<Integer> nodeCounts,
            int scalingNodes,
            int runs,
            int warmup,
            int jqRuns,
            double drift,
            String heap,
            Path dir,
            boolean keep) {}

    /** One probe's medians. */
    record Probe(
            int repositories,
            int nodes,
            long listingBytes,
            long listedRepositories,
            double vetNanos,
            double vetCpuNanos,
            double peakHeap,
            double liveHeap,
            long rss,
            double scanPrimaryFirstNanos,
            double scanAtOnceNanos,
            int tableSize,
            long tableFootprint,
            long tableHeld) {}

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    VetBench(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException, InterruptedException {
        out.println("# farmvet bench vet");
        out.println("machine: " + Stats.machine());
        out.println("load average at start: " + Stats.loadAverage() + " (other processes share these cores)");
        out.printf(
                Locale.ROOT,
                "farm: %s projects per 1000 repositories, drift %.1f%% per node, %d run(s) after %d warm-up run(s) and "
                        + VetProbe.WARMUP_SECONDS + " s of warm-up, "
                        + "probe JVM -Xmx%s%n",
                settings.projectsPerThousand(),
                settings.drift() * 100,
                settings.runs(),
                settings.warmup(),
                settings.heap());
        String jq = settings.jqRuns() == 0 ? null : JqRecipe.version();
        if (jq == null && settings.jqRuns() > 0) {
            err.println("farmvet bench: jq not found, so the jq column is skipped; install it with "
                    + "'apt-get install -y jq' (Debian/Ubuntu) or 'brew install jq'");
        }
        List<Probe> main = new ArrayList<>();
        List<Probe> byNodes = new ArrayList<>();
        Map<Integer, JqRecipe.Result> jqTimes = new LinkedHashMap<>();
        int largest =
                settings.sizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        for (int size : settings.sizes()) {
            int maxNodes = settings.scalingNodes();
            if (size == largest) {
                maxNodes = Math.max(
                        maxNodes,
                        settings.nodeCounts().stream()
                                .mapToInt(Integer::intValue)
                                .max()
                                .orElse(0));
            }
            int projects = Math.max(1, (int) ((long) size * settings.projectsPerThousand() / 1000));
            Path dir = settings.dir().resolve("farm-" + Stats.count(size));
            long started = System.nanoTime();
            SyntheticFarm.Farm farm = new SyntheticFarm(size, projects, settings.drift(), 7).write(dir, maxNodes);
            err.printf(
                    Locale.ROOT,
                    "farmvet bench: %s repositories in %d projects, %d node(s): %s of listings written in %s%n",
                    Stats.count(size),
                    projects,
                    maxNodes,
                    Stats.mb(farm.totalBytes()),
                    Stats.seconds(System.nanoTime() - started));
            try (ListingFileServer server = new ListingFileServer(files(farm))) {
                List<Integer> counts = new ArrayList<>(List.of(settings.scalingNodes()));
                if (size == largest) {
                    for (int n : settings.nodeCounts()) {
                        if (!counts.contains(n)) {
                            counts.add(n);
                        }
                    }
                }
                for (int n : counts) {
                    Probe probe = probe(farm, server, n);
                    if (n == settings.scalingNodes()) {
                        main.add(probe);
                    }
                    if (size == largest) {
                        byNodes.add(probe);
                    }
                }
            }
            if (jq != null) {
                jqTimes.put(size, JqRecipe.run(farm, settings.scalingNodes(), settings.jqRuns(), dir, err));
            }
            if (!settings.keep()) {
                deleteListings(farm);
            }
        }
        report(main, byNodes, jqTimes, jq);
        return 0;
    }

    private static Map<String, Path> files(SyntheticFarm.Farm farm) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("primary", farm.primary());
        for (int i = 0; i < farm.nodes().size(); i++) {
            files.put("node-" + (i + 1), farm.nodes().get(i).file());
        }
        return files;
    }

    /** Runs a {@link VetProbe} in a fresh JVM against the primary and the first {@code nodes} nodes. */
    private Probe probe(SyntheticFarm.Farm farm, ListingFileServer server, int nodes)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + settings.heap());
        // The probe's System.gc() before each run clears the last run's garbage, so that each peak is its own; a
        // full collection would also shrink the heap to the few MB then live, which a daemon between vets or a
        // fresh `farmvet vet` never has, and the run would pay some 18 G1 marking cycles (0.3-0.4 s of CPU at 1M
        // repositories) to grow it back. Keep the heap as the last run left it instead.
        command.add("-XX:MaxHeapFreeRatio=100");
        String extra = System.getenv("FARMVET_BENCH_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.strip().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VetProbe.class.getName()));
        command.add(Integer.toString(settings.runs()));
        command.add(Integer.toString(settings.warmup()));
        command.add(server.url("primary").toString());
        command.add(farm.primary().toString());
        long bytes = farm.primaryBytes();
        long listed = farm.repositories();
        for (int i = 0; i < nodes; i++) {
            SyntheticFarm.Node node = farm.nodes().get(i);
            command.add(server.url("node-" + (i + 1)).toString());
            command.add(Long.toString(node.expected()));
            bytes += node.bytes();
            listed += node.repositories();
        }
        err.printf(
                Locale.ROOT,
                "farmvet bench: vetting %s repositories with %d node(s) in a -Xmx%s JVM...%n",
                Stats.count(farm.repositories()),
                nodes,
                settings.heap());
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Double> vet = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> peak = new ArrayList<>();
        List<Double> live = new ArrayList<>();
        List<Double> scanPrimaryFirst = new ArrayList<>();
        List<Double> scanAtOnce = new ArrayList<>();
        long rss = -1;
        long[] table = {-1, -1, -1};
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "vet" -> {
                        vet.add(Double.parseDouble(f[1]));
                        peak.add(Double.parseDouble(f[2]));
                        live.add(Double.parseDouble(f[3]));
                        cpu.add(Double.parseDouble(f[4]));
                    }
                    case "scan" -> {
                        scanPrimaryFirst.add(Double.parseDouble(f[1]));
                        scanAtOnce.add(Double.parseDouble(f[2]));
                    }
                    case "rss" -> rss = Long.parseLong(f[1]);
                    case "table" -> {
                        table[0] = Long.parseLong(f[1]);
                        table[1] = Long.parseLong(f[2]);
                        table[2] = Long.parseLong(f[3]);
                    }
                    default -> err.println("probe: " + line);
                }
            }
        }
        int code = process.waitFor();
        if (code != 0) {
            throw new IOException("the probe JVM (-Xmx" + settings.heap() + ") failed with exit code " + code + " for "
                    + Stats.count(farm.repositories()) + " repositories and " + nodes + " node(s)");
        }
        Probe probe = new Probe(
                farm.repositories(),
                nodes,
                bytes,
                listed,
                Stats.median(vet),
                Stats.median(cpu),
                Stats.max(peak),
                Stats.max(live),
                rss,
                Stats.median(scanPrimaryFirst),
                Stats.median(scanAtOnce),
                (int) table[0],
                table[1],
                table[2]);
        err.printf(
                Locale.ROOT,
                "farmvet bench:   vet %s (runs: %s), CPU %s, token scan %s primary first, %s all at once; load average"
                        + " %s%n",
                Stats.seconds(probe.vetNanos()),
                String.join(", ", vet.stream().map(Stats::seconds).toList()),
                Stats.seconds(probe.vetCpuNanos()),
                Stats.seconds(probe.scanPrimaryFirstNanos()),
                Stats.seconds(probe.scanAtOnceNanos()),
                Stats.loadAverage());
        return probe;
    }

    private void report(List<Probe> main, List<Probe> byNodes, Map<Integer, JqRecipe.Result> jq, String jqVersion) {
        out.println();
        out.println("load average at the end: " + Stats.loadAverage());
        out.println();
        out.printf(
                "## Full vet, primary + %d nodes: farmvet vs the jq recipe vs a bare token scan (medians)%n",
                settings.scalingNodes());
        out.println();
        out.println("| repositories | listings | farmvet vet | vet CPU | repos/s | MB/s | token scan, primary first "
                + "| token scan, all at once | jq recipe | farmvet / scan, primary first | farmvet / scan, all at once "
                + "| jq / farmvet |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Probe p : main) {
            JqRecipe.Result j = jq.get(p.repositories());
            out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |%n",
                    Stats.count(p.repositories()),
                    Stats.mb(p.listingBytes()),
                    Stats.seconds(p.vetNanos()),
                    Stats.seconds(p.vetCpuNanos()),
                    perSecond(p.listedRepositories(), p.vetNanos()),
                    p.listingBytes() / 1e6 / (p.vetNanos() / 1e9),
                    Stats.seconds(p.scanPrimaryFirstNanos()),
                    Stats.seconds(p.scanAtOnceNanos()),
                    j == null ? "skipped" : Stats.seconds(j.farmNanos()),
                    Stats.ratio(p.vetNanos() / p.scanPrimaryFirstNanos()),
                    Stats.ratio(p.vetNanos() / p.scanAtOnceNanos()),
                    j == null ? "–" : Stats.ratio(j.farmNanos() / p.vetNanos()));
        }
        if (jqVersion != null && !jq.isEmpty()) {
            out.println();
            out.println("jq recipe (" + jqVersion + "): `jq '" + JQ_FILTER + "'` on the primary's listing and on each"
                    + " node's, then `diff` of each node's against the primary's, one process at a time (what an"
                    + " operator's loop does); " + settings.jqRuns() + " run(s), median. Per step:");
            out.println();
            out.println("| repositories | jq, primary | jq + diff, one node | jq peak RSS |");
            out.println("|---:|---:|---:|---:|");
            for (Map.Entry<Integer, JqRecipe.Result> e : jq.entrySet()) {
                JqRecipe.Result r = e.getValue();
                out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %s |%n",
                        Stats.count(e.getKey()),
                        Stats.seconds(r.primaryNanos()),
                        Stats.seconds(r.nodeNanos()),
                        r.peakRssBytes() < 0 ? "–" : Stats.mb(r.peakRssBytes()));
            }
        }
        out.println();
        out.printf("## Memory of the vet (probe JVM -Xmx%s; every run below passed)%n", settings.heap());
        out.println();
        out.println("| repositories | nodes | listings | vet | peak heap occupancy | max heap after GC | peak RSS "
                + "| primary table | table bytes/repository |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<Probe> all = new ArrayList<>(main);
        for (Probe p : byNodes) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        for (Probe p : all) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s | %s | %s | %.0f (heap delta %.0f) |%n",
                    Stats.count(p.repositories()),
                    p.nodes(),
                    Stats.mb(p.listingBytes()),
                    Stats.seconds(p.vetNanos()),
                    Stats.mb(p.peakHeap()),
                    p.liveHeap() > 0 ? Stats.mb(p.liveHeap()) : "no GC ran",
                    p.rss() < 0 ? "–" : Stats.mb(p.rss()),
                    Stats.mb(p.tableFootprint()),
                    (double) p.tableFootprint() / p.tableSize(),
                    (double) p.tableHeld() / p.tableSize());
        }
        out.println();
        out.println("peak heap occupancy: sum of the heap pools' peaks during a vet (garbage included, an upper "
                + "bound); max heap after GC: the largest heap left by any collection during a vet (none, in a run that "
                + "needed none); table: "
                + "PrimaryTable.footprintBytes() of the largest primary, and the heap it holds after a full GC.");
    }

    private static String perSecond(long repositories, double nanos) {
        double rate = repositories / (nanos / 1e9);
        return rate >= 1e6
                ? String.format(Locale.ROOT, "%.1fM", rate / 1e6)
                : String.format(Locale.ROOT, "%.0fk", rate / 1e3);
    }

    private static void deleteListings(SyntheticFarm.Farm farm) throws IOException {
        Files.deleteIfExists(farm.primary());
        for (SyntheticFarm.Node node : farm.nodes()) {
            Files.deleteIfExists(node.file());
        }
    }
}

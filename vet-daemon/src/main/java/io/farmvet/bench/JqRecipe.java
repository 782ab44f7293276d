package io.farmvet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operator's baseline from Bitbucket's documentation: sort each listing with {@code jq '.projects | sort |
 * .[].repositories |= sort_by(.id)'} and {@code diff} each node's against the primary's. Run as separate
 * processes, one at a time, on the same files the vet reads; jq's peak RSS comes from {@code /usr/bin/time} where
 * it exists.
 */
final class JqRecipe {
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    /**
     * Medians of one run's steps.
     *
     * @param farmNanos the primary's sort plus every node's sort and diff: the whole recipe for the farm
     * @param peakRssBytes the largest jq process, or -1 when unknown
     */
    record Result(double primaryNanos, double nodeNanos, double farmNanos, long peakRssBytes) {}

    private JqRecipe() {}

    /** {@code jq --version}, or null when jq cannot be run. */
    static String version() {
        try {
            Process p = new ProcessBuilder("jq", "--version")
                    .redirectErrorStream(true)
                    .start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? text : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static Result run(SyntheticFarm.Farm farm, int nodes, int runs, Path dir, PrintStream err)
            throws IOException, InterruptedException {
        err.printf(
                Locale.ROOT,
                "farmvet bench: jq recipe on %s repositories, primary + %d node(s), %d run(s)...%n",
                Stats.count(farm.repositories()),
                nodes,
                runs);
        Path sortedPrimary = dir.resolve("primary.sorted");
        Path sortedNode = dir.resolve("node.sorted");
        Path rssFile = dir.resolve("jq.rss");
        List<Double> primary = new ArrayList<>();
        List<Double> node = new ArrayList<>();
        List<Double> whole = new ArrayList<>();
        long rss = -1;
        try {
            for (int run = 0; run < runs; run++) {
                long start = System.nanoTime();
                rss = Math.max(rss, jq(farm.primary(), sortedPrimary, rssFile));
                long primaryDone = System.nanoTime();
                primary.add((double) (primaryDone - start));
                for (int i = 0; i < nodes; i++) {
                    long nodeStart = System.nanoTime();
                    rss = Math.max(rss, jq(farm.nodes().get(i).file(), sortedNode, rssFile));
                    diff(sortedPrimary, sortedNode);
                    node.add((double) (System.nanoTime() - nodeStart));
                }
                whole.add((double) (System.nanoTime() - start));
            }
        } finally {
            Files.deleteIfExists(sortedPrimary);
            Files.deleteIfExists(sortedNode);
            Files.deleteIfExists(rssFile);
        }
        return new Result(Stats.median(primary), Stats.median(node), Stats.median(whole), rss);
    }

    /** Sorts {@code listing} into {@code sorted}; returns jq's peak RSS in bytes, or -1. */
    private static long jq(Path listing, Path sorted, Path rssFile) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        boolean timed = Files.isExecutable(GNU_TIME);
        if (timed) {
            command.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", rssFile.toString()));
        }
        command.addAll(List.of("jq", VetBench.JQ_FILTER, listing.toString()));
        Process p = new ProcessBuilder(command)
                .redirectOutput(sorted.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (p.waitFor() != 0) {
            throw new IOException("jq failed on " + listing + " with exit code " + p.exitValue());
        }
        if (!timed) {
            return -1;
        }
        return Long.parseLong(Files.readString(rssFile).strip()) * 1024;
    }

    private static void diff(Path a, Path b) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("diff", a.toString(), b.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        // diff exits 1 when the files differ, which a drifted node does; 2 is trouble.
        if (p.waitFor() > 1) {
            throw new IOException("diff failed on " + a + " and " + b + " with exit code " + p.exitValue());
        }
    }
}

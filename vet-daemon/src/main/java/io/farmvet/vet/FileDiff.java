package io.farmvet.vet;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.fetch.manifest.ManifestSource;
import io.farmvet.grokmirror.ManifestFormatException;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.listing.ListingFormatException;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The vet's comparison on two saved listings ({@code farmvet diff}): what an operator would otherwise do with
 * {@code jq} and {@code diff}, with the same verdicts and report as a vet.
 */
public final class FileDiff {
    /** Reads one saved file into a listing handler; a malformed file throws its own format exception. */
    @FunctionalInterface
    private interface FileReader {
        void read(Path file, ListingHandler handler) throws IOException;
    }

    private final FileReader reader;
    private final Clock clock;

    public FileDiff(ListingReader reader, Clock clock) {
        this(
                (file, handler) -> {
                    try (InputStream in = open(file)) {
                        reader.read(in, file.toString(), ListingKind.FULL, handler);
                    }
                },
                clock);
    }

    private FileDiff(FileReader reader, Clock clock) {
        this.reader = reader;
        this.clock = clock;
    }

    /** The same comparison on two saved grokmirror manifests ({@code farmvet diff --manifest}), plain or gzipped. */
    public static FileDiff ofManifests(ManifestReader reader, Clock clock) {
        return new FileDiff((file, handler) -> ManifestSource.ofFile(file).read(reader, handler), clock);
    }

    /**
     * Compares {@code nodeFile} with {@code primaryFile}. A file that is not a well-formed listing becomes a
     * failed side of the report, as a failing server would.
     *
     * @throws java.nio.file.NoSuchFileException or another IOException when a file cannot be opened at all
     */
    public VetReport run(Path primaryFile, Path nodeFile, Scope scope) throws IOException {
        Instant startedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        long start = System.nanoTime();
        PrimaryTable table = new PrimaryTable();
        String primaryError = null;
        boolean primaryRead = false;
        try {
            reader.read(primaryFile, table);
            primaryRead = true;
        } catch (ListingFormatException | ManifestFormatException e) {
            primaryError = e.getMessage();
        }
        VetReport.PrimaryResult primary = new VetReport.PrimaryResult(
                primaryFile.toString(),
                primaryRead ? (long) table.size() : null,
                Files.size(primaryFile),
                msSince(start),
                primaryError);

        long nodeStart = System.nanoTime();
        String name = nodeFile.getFileName().toString();
        VetReport.NodeResult node;
        if (primary.failed()) {
            node = failed(name, nodeFile, "not compared: the primary's listing could not be read", nodeStart);
        } else {
            NodeComparison comparison = new NodeComparison(table);
            try {
                reader.read(nodeFile, comparison);
                List<Inconsistency> found =
                        FarmComparison.verdicts(table, comparison, FarmComparison.scope(scope, List.of(comparison)));
                node = new VetReport.NodeResult(
                        name,
                        nodeFile.toString(),
                        VetReport.NodeStatus.VETTED,
                        null,
                        comparison.repositories(),
                        Files.size(nodeFile),
                        msSince(nodeStart),
                        found);
            } catch (ListingFormatException | ManifestFormatException e) {
                node = failed(name, nodeFile, e.getMessage(), nodeStart);
            }
        }
        List<VetReport.NodeResult> nodes = List.of(node);
        return new VetReport("diff", VetReport.statusOf(primary, nodes), startedAt, msSince(start), primary, nodes);
    }

    private static VetReport.NodeResult failed(String name, Path file, String error, long start) throws IOException {
        return new VetReport.NodeResult(
                name,
                file.toString(),
                VetReport.NodeStatus.FAILED,
                error,
                null,
                Files.size(file),
                msSince(start),
                List.of());
    }

    private static InputStream open(Path file) throws IOException {
        return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    private static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}

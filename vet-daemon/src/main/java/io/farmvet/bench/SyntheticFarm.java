package io.farmvet.bench;

import io.farmvet.listing.HashValue;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic farm written to disk as repo-hashes listings: a primary with {@code repositories} repositories in
 * {@code projects} projects, and {@code nodes} mirror nodes that each drift from it in their own way and list
 * their projects and repositories in their own shuffled order (Bitbucket's nodes do not agree on an order,
 * which is why a vet cannot merge sorted streams).
 *
 * <p>Drift per node: a fraction {@code drift} of the primary's repositories differs, split 40% content hash, 20%
 * metadata hash, 20% missing, plus extra repositories numbering 20% of that fraction. Each drifted repository has
 * exactly one kind, so {@link Node#expected()} is the exact number of inconsistencies a vet must report.
 *
 * <p>Listings are streamed through {@link ListingWriter}; memory is one project's repository ids at a time. The
 * same seed gives the same bytes.
 */
final class SyntheticFarm {
    /** Split of the drifted repositories by kind, in per-mille of {@code drift}. */
    private static final int CONTENT_SHARE = 400;

    private static final int METADATA_SHARE = 200;
    private static final int MISSING_SHARE = 200;
    private static final int EXTRA_SHARE = 200;
    /** 1 MiB: the writer flushes in large chunks instead of Jackson's 8 KB ones. */
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    /** A listing file and what a vet should find in it. */
    record Node(Path file, long bytes, long repositories, long expected) {}

    record Farm(Path primary, long primaryBytes, int repositories, int projects, List<Node> nodes) {
        long totalBytes() {
            return primaryBytes + nodes.stream().mapToLong(Node::bytes).sum();
        }
    }

    private final int repositories;
    private final int projects;
    private final double drift;
    private final long seed;
    private final boolean extras;
    private final char[] hex = new char[64];
    private final HashValue content = new HashValue();
    private final HashValue metadata = new HashValue();

    SyntheticFarm(int repositories, int projects, double drift, long seed) {
        this(repositories, projects, drift, seed, true);
    }

    /**
     * @param extras false for nodes without extra repositories: their share of the drift is then no drift at all
     *     (a node with an extra repository cannot be confirmed per repository, so {@code bench confirm} has none)
     */
    SyntheticFarm(int repositories, int projects, double drift, long seed, boolean extras) {
        if (repositories < 1 || projects < 1 || projects > repositories || drift < 0 || drift > 1) {
            throw new IllegalArgumentException("a farm needs 1 <= projects <= repositories and 0 <= drift <= 1: "
                    + repositories + " repositories, " + projects + " projects, drift " + drift);
        }
        this.repositories = repositories;
        this.projects = projects;
        this.drift = drift;
        this.seed = seed;
        this.extras = extras;
    }

    /** Writes {@code primary.json} and {@code node-1.json} … into {@code dir}. */
    Farm write(Path dir, int nodes) throws IOException {
        Files.createDirectories(dir);
        Path primaryFile = dir.resolve("primary.json");
        writePrimary(primaryFile);
        List<Node> written = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            Path file = dir.resolve("node-" + n + ".json");
            long[] counts = writeNode(file, n);
            written.add(new Node(file, Files.size(file), counts[0], counts[1]));
        }
        return new Farm(primaryFile, Files.size(primaryFile), repositories, projects, written);
    }

    private void writePrimary(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), WRITE_BUFFER_BYTES);
                ListingWriter writer = new ListingWriter(out, ListingKind.FULL)) {
            for (int p = 0; p < projects; p++) {
                writer.startProject(p + 1, p % 5 == 0, null);
                // Repository id i + 1 belongs to project i % projects: ids interleave across projects, as they
                // do on a server where repositories are created over time in many projects.
                for (int i = p; i < repositories; i += projects) {
                    long id = i + 1;
                    writer.repository(id, null, hash(content, id, 0, 0), hash(metadata, id, 1, 0));
                }
                writer.endProject();
            }
        }
    }

    /** Returns the node's repository count and expected inconsistencies. */
    private long[] writeNode(Path file, int node) throws IOException {
        SplittableRandom order = new SplittableRandom(seed * 31 + node);
        int[] projectOrder = shuffled(projects, order);
        int extras = this.extras ? (int) Math.round(repositories * drift * EXTRA_SHARE / 1000.0) : 0;
        long listed = 0;
        long expected = extras;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), WRITE_BUFFER_BYTES);
                ListingWriter writer = new ListingWriter(out, ListingKind.FULL)) {
            for (int p : projectOrder) {
                long[] ids = projectIds(p, extras);
                shuffle(ids, order);
                writer.startProject(p + 1, p % 5 == 0, null);
                for (long id : ids) {
                    int contentVersion = 0;
                    int metadataVersion = 0;
                    if (id <= repositories) {
                        double u = unit(id, node);
                        if (u < drift) {
                            int share = (int) (u / drift * 1000);
                            expected++;
                            if (share < CONTENT_SHARE) {
                                contentVersion = node;
                            } else if (share < CONTENT_SHARE + METADATA_SHARE) {
                                metadataVersion = node;
                            } else if (share < CONTENT_SHARE + METADATA_SHARE + MISSING_SHARE) {
                                continue;
                            } else {
                                expected--; // the last share is carried by the extras
                            }
                        }
                    }
                    writer.repository(
                            id, null, hash(content, id, 0, contentVersion), hash(metadata, id, 1, metadataVersion));
                    listed++;
                }
                writer.endProject();
            }
        }
        return new long[] {listed, expected};
    }

    /** The primary's repository ids of project {@code p}, and the extra ids ({@code repositories + k}) it gets. */
    private long[] projectIds(int p, int extras) {
        int own = (repositories - p + projects - 1) / projects;
        int extra = extras <= p ? 0 : (extras - p + projects - 1) / projects;
        long[] ids = new long[own + extra];
        int k = 0;
        for (int i = p; i < repositories; i += projects) {
            ids[k++] = i + 1;
        }
        for (int e = p; e < extras; e += projects) {
            ids[k++] = (long) repositories + e + 1;
        }
        return ids;
    }

    /** A uniform number in [0, 1) fixed by repository and node. */
    private double unit(long id, int node) {
        return (mix(id * 0x9E3779B97F4A7C15L + node + seed) >>> 11) * 0x1.0p-53;
    }

    /** A 64-character hash fixed by repository, which hash and version. */
    private HashValue hash(HashValue into, long id, int which, int version) {
        long state = mix(seed ^ (id << 8) ^ ((long) which << 4) ^ version);
        for (int word = 0; word < 4; word++) {
            state = mix(state + 0x9E3779B97F4A7C15L);
            for (int i = 0; i < 16; i++) {
                hex[word * 16 + i] = Character.forDigit((int) (state >>> (i * 4)) & 0xf, 16);
            }
        }
        into.setHex(hex, 0, hex.length);
        return into;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static void shuffle(long[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

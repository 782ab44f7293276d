package io.farmvet.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.RepairSettings;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The measuring side of {@code farmvet bench vet}, run by {@link VetBench} in a fresh JVM per farm size so that
 * its heap limit ({@code -Xmx256m}), peak heap and RSS belong to the vet alone, not to the generator or the
 * listing server. It runs warm-up and measured vets through the real {@link Vet} call, then the token-scan
 * baseline over the same HTTP URLs in both orders, then builds one {@link PrimaryTable} from the primary's file to
 * weigh it.
 *
 * <p>Arguments: {@code RUNS WARMUP PRIMARY_URL PRIMARY_FILE [NODE_URL EXPECTED]...}. Output: one
 * {@code key value...} line per result on stdout (see {@link VetBench#probe}); anything wrong (a node failed, a
 * count that is not the expected one) exits 1 with the reason on stderr, so a broken vet is never timed.
 */
public final class VetProbe {
    private static final long SETTLE_MS = 100;
    static final int WARMUP_SECONDS = 3;

    private VetProbe() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("farmvet.log.level", "WARN");
        int runs = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        URI primaryUrl = URI.create(args[2]);
        Path primaryFile = Path.of(args[3]);
        List<FarmvetConfig.Server> nodes = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (int i = 4; i + 1 < args.length; i += 2) {
            nodes.add(new FarmvetConfig.Server("node-" + nodes.size(), URI.create(args[i]), Auth.NONE));
            expected.add(Long.parseLong(args[i + 1]));
        }
        Path state = Files.createTempDirectory("farmvet-bench-state");
        FarmvetConfig config = new FarmvetConfig(
                new FarmvetConfig.Farm("bench", Scope.ALL),
                new FarmvetConfig.Server(FarmvetConfig.PRIMARY_NAME, primaryUrl, Auth.NONE),
                nodes,
                new FarmvetConfig.Http(Duration.ofSeconds(5), Duration.ofSeconds(60), null),
                FarmvetConfig.Listing.DEFAULTS,
                new FarmvetConfig.Vet(Duration.ofMinutes(10)),
                new FarmvetConfig.Repair(RepairSettings.defaults(), state.resolve("repairs.jsonl")),
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

        AtomicLong liveAfterGc = watchLiveHeap();
        ListingReader reader = new ListingReader(config.listing().limits());
        try (ListingFetcher fetcher = new ListingFetcher(config.http(), reader, nodes.size() + 1)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            Warmup warming = new Warmup(warmup);
            for (int run = 0; run < runs; ) {
                boolean measured = !warming.more();
                System.gc();
                // GC notifications arrive on a service thread a moment later: let this one's pass before the
                // reset, or it would count as the run's.
                Thread.sleep(SETTLE_MS);
                resetPeaks();
                liveAfterGc.set(0);
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                VetReport report = vet.run(vet.newProgress());
                long nanos = System.nanoTime() - start;
                long cpu = processCpuNanos() - cpuStart;
                check(report, expected);
                if (measured) {
                    System.out.printf("vet %d %d %d %d%n", nanos, peakHeap(), liveAfterGc.get(), cpu);
                    run++;
                }
            }
        }
        System.out.println("rss " + vmHwmBytes());

        List<TokenScan.Source> http = new ArrayList<>();
        http.add(TokenScan.Source.http(primaryUrl.resolve(primaryUrl.getPath() + "/" + ListingKind.FULL.path())));
        for (FarmvetConfig.Server node : nodes) {
            URI url = node.url();
            http.add(TokenScan.Source.http(url.resolve(url.getPath() + "/" + ListingKind.FULL.path())));
        }
        try (TokenScan scan = new TokenScan()) {
            Warmup warming = new Warmup(warmup);
            for (int run = 0; run < runs; ) {
                boolean measured = !warming.more();
                long primaryFirst = scan.farm(http);
                long atOnce = scan.atOnce(http);
                if (measured) {
                    System.out.printf("scan %d %d%n", primaryFirst, atOnce);
                    run++;
                }
            }
        }

        System.gc();
        long before = usedHeap();
        PrimaryTable table = new PrimaryTable();
        try (InputStream in = Files.newInputStream(primaryFile)) {
            reader.read(in, "primary", ListingKind.FULL, table);
        }
        System.gc();
        long held = usedHeap() - before;
        System.out.printf("table %d %d %d%n", table.size(), table.footprintBytes(), held);
        if (table.size() < 0) {
            throw new AssertionError("unreachable: keeps the table alive until it is weighed");
        }
    }

    /**
     * Warm-up before measuring: the runs asked for, and if any, more until {@value #WARMUP_SECONDS} s have gone,
     * so that small farms, whose runs are short, are measured compiled too (at 100k repositories one warm-up run
     * left the measured runs getting faster from 0.31 to 0.17 s). The vet and the token scan get the same.
     */
    private static final class Warmup {
        private static final int MAX_RUNS = 100;
        private final int atLeast;
        private final long until = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
        private int done;

        Warmup(int atLeast) {
            this.atLeast = atLeast;
        }

        /** True while the next run is still a warm-up run. */
        boolean more() {
            boolean more = done < atLeast || atLeast > 0 && System.nanoTime() < until && done < MAX_RUNS;
            if (more) {
                done++;
            }
            return more;
        }
    }

    private static void check(VetReport report, List<Long> expected) {
        if (report.primary().failed()) {
            fail("the primary failed: " + report.primary().error());
        }
        for (int i = 0; i < expected.size(); i++) {
            VetReport.NodeResult node = report.nodes().get(i);
            if (node.failed()) {
                fail(node.name() + " failed: " + node.error());
            }
            if (node.inconsistencies().size() != expected.get(i)) {
                fail(node.name() + ": " + node.inconsistencies().size() + " inconsistencies, the farm has "
                        + expected.get(i));
            }
        }
    }

    private static void fail(String why) {
        System.err.println("farmvet bench: the vet is wrong, not timing it: " + why);
        System.exit(1);
    }

    /** The largest heap occupancy after any collection, as the collector reports it: live data plus what the
     * collection left behind, never the garbage of the moment before. */
    private static AtomicLong watchLiveHeap() {
        AtomicLong max = new AtomicLong();
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (notification, handback) -> {
                                if (!notification
                                        .getType()
                                        .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                                    return;
                                }
                                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                        (CompositeData) notification.getUserData());
                                long used = 0;
                                // The map covers every pool, Metaspace and code cache included: heap only.
                                for (Map.Entry<String, MemoryUsage> pool :
                                        info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                                    if (heapPools.contains(pool.getKey())) {
                                        used += pool.getValue().getUsed();
                                    }
                                }
                                max.accumulateAndGet(used, Math::max);
                            },
                            null,
                            null);
        }
        return max;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peaks since {@link #resetPeaks}: an upper bound of the peak occupancy. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /**
     * CPU time of this whole JVM (GC and JIT threads included): on a shared machine it says what the vet costs
     * even when other processes stretch its wall time.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Peak resident set size of this JVM (Linux {@code VmHWM}), or -1 elsewhere. */
    static long vmHwmBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}

package io.farmvet.demo;

import io.farmvet.agent.AgentServer;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.git.RepositoryHashException;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.report.TextReport;
import io.farmvet.util.Units;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code farmvet demo}: builds a small farm of plain Git repositories in one folder, makes its nodes drift, starts a
 * node agent for every server on loopback, and vets it with {@code repair.mode: agent} the way an operator would:
 * the first vet finds and repairs the drift, the agents resync in the background, the second vet finds the farm
 * consistent and the repairs verified. Needs nothing but the JDK (JGit does the Git work).
 *
 * <p>{@link #run} does it all once and prints the account to {@code out}; the agents keep running until {@link
 * #close}, so {@code --keep-running} can leave the farm up to play with. Not thread-safe: one run per instance.
 */
public final class Demo implements AutoCloseable {
    /** How long the agents get to finish the resyncs of the first vet: each takes milliseconds on local files. */
    static final Duration RESYNC_TIMEOUT = Duration.ofSeconds(60);

    /** How long the agents get for their first scan of a few dozen repositories. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** Exit codes: the farm converged, or not (farmvet's "inconsistencies found"). */
    public static final int EXIT_CONVERGED = 0;

    public static final int EXIT_NOT_CONVERGED = 1;

    /** What the end-to-end test looks at before the first vet. */
    @FunctionalInterface
    interface BeforeVet {
        void accept(DemoLayout layout) throws IOException;
    }

    /**
     * What one run did.
     *
     * @param first the vet that found and repaired the drift
     * @param second the vet after the agents' resyncs
     */
    record Result(int exitCode, List<Drift> drifts, VetReport first, VetReport second, Duration elapsed) {}

    private final DemoLayout layout;
    private final PrintStream out;
    private final RepositoryHasher hasher = new RepositoryHasher();
    private final Map<Long, RepositoryName> names = new HashMap<>();
    private DemoAgents agents;

    /** A demo farm in {@code dir}, an empty or new folder. */
    public Demo(Path dir, PrintStream out) {
        this.layout = new DemoLayout(dir);
        this.out = out;
    }

    DemoLayout layout() {
        return layout;
    }

    /**
     * Builds the farm, vets it, waits for the resyncs, vets it again; returns the exit code.
     *
     * @throws IOException the farm could not be built or an agent could not start (the message says which)
     */
    public int run() throws IOException, InterruptedException {
        return run(l -> {}).exitCode();
    }

    Result run(BeforeVet beforeVet) throws IOException, InterruptedException {
        long startNanos = System.nanoTime();
        out.println("farmvet demo: a primary and three mirror nodes of plain Git repositories, on this machine only");
        out.println("  folder  " + layout.dir());

        List<RepositoryName> fleet = buildFleet();
        List<Drift> drifts = drift();
        FarmvetConfig config = startAgents();
        beforeVet.accept(layout);

        section("5. Vetting: ./farmvet vet --config " + layout.configFile());
        VetReport first = vet(config);
        TextReport.write(first, out);
        explainFirst(first, drifts);

        section("6. Waiting for the agents' background resyncs (GET /status until SYNCHRONIZED)");
        long waitStart = System.nanoTime();
        String late = agents.awaitSynchronized(agents.nodes(), RESYNC_TIMEOUT);
        out.println(
                late == null
                        ? "  every node is SYNCHRONIZED after " + Units.millis(millisSince(waitStart))
                        : "  still resyncing: " + late);

        section("7. Vetting again: the same command");
        VetReport second = vet(config);
        TextReport.write(second, out);
        explainSecond(second);

        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        boolean converged = second.status() == VetReport.Status.CONSISTENT;
        out.println();
        if (converged) {
            long repaired = verifications(second, VerificationOutcome.REPAIRED);
            out.printf(
                    Locale.ROOT,
                    "farm converged: %d of %d drifted repositories repaired and verified; all %d repositories agree"
                            + " with the primary on every node (%s)%n",
                    repaired,
                    drifts.size(),
                    fleet.size(),
                    Units.duration(elapsed));
        } else {
            out.printf(
                    Locale.ROOT,
                    "farm NOT converged after one round of repairs (%s): %s%n",
                    Units.duration(elapsed),
                    stillWrong(second));
        }
        out.flush();
        return new Result(converged ? EXIT_CONVERGED : EXIT_NOT_CONVERGED, drifts, first, second, elapsed);
    }

    // ---- steps 1 to 4: the farm ----

    private List<RepositoryName> buildFleet() throws IOException, InterruptedException {
        section("1. The primary: real bare repositories, made with JGit on a fixed clock (same hashes on every run)");
        List<RepositoryName> fleet = PrimaryFleet.build(layout.primary());
        Map<RepositoryName, RepositoryHashes> primary = hashAll(layout.primary(), fleet);
        fleet.forEach(name -> names.put(name.repositoryId(), name));
        int refs =
                primary.values().stream().mapToInt(RepositoryHashes::refCount).sum();
        String projects =
                fleet.stream().map(RepositoryName::projectKey).collect(Collectors.toCollection(TreeSet::new)).stream()
                        .collect(Collectors.joining(", "));
        out.printf(
                "  primary  %d repositories in projects %s; %d branches and tags; HEAD at main (%s/%s: %s)%n",
                fleet.size(),
                projects,
                refs,
                PrimaryFleet.LEGACY_KEY,
                PrimaryFleet.LEGACY_SLUG,
                PrimaryFleet.LEGACY_BRANCH);

        section("2. Three nodes, each cloned from the primary as bare mirrors");
        NodeClones.cloneNodes(layout.primary(), layout.nodes(), fleet);
        for (int i = 0; i < DemoLayout.NODE_NAMES.size(); i++) {
            // The demo's own check that it starts from identical copies, so all drift below is made on purpose.
            Map<RepositoryName, RepositoryHashes> node = hashAll(layout.node(i), fleet);
            for (RepositoryName name : fleet) {
                if (!same(primary.get(name), node.get(name))) {
                    throw new IOException("the clone of " + name + " on " + DemoLayout.NODE_NAMES.get(i)
                            + " differs from the primary before any drift: " + node.get(name) + " vs "
                            + primary.get(name));
                }
            }
        }
        out.println("  node-1, node-2, node-3: every repository has the primary's content and metadata hashes");
        return fleet;
    }

    private List<Drift> drift() throws IOException {
        section("3. Making each node drift, differently");
        List<Drift> drifts = NodeDrifts.apply(layout.nodes());
        int width = drifts.stream()
                .mapToInt(d -> d.repository().toString().length())
                .max()
                .orElse(0);
        String lastNode = "";
        for (Drift drift : drifts) {
            names.putIfAbsent(drift.repository().repositoryId(), drift.repository());
            out.printf(
                    "  %-7s %-" + width + "s  %-40s -> %s%n",
                    drift.node().equals(lastNode) ? "" : drift.node(),
                    drift.repository(),
                    drift.change(),
                    drift.kind().wireName());
            lastNode = drift.node();
        }
        return drifts;
    }

    private FarmvetConfig startAgents() throws IOException, InterruptedException {
        section("4. An agent per server on 127.0.0.1 (farmvet agent), and the farm's config");
        agents = DemoAgents.start(layout);
        String late = agents.awaitSynchronized(agents.all(), START_TIMEOUT);
        if (late != null) {
            throw new IOException("the agents did not finish their first scan: " + late);
        }
        out.printf(
                "  primary  %s  serves hashes only (no --upstream)%n",
                agents.primary().uri());
        for (int i = 0; i < agents.nodes().size(); i++) {
            out.printf(
                    "  %-7s  %s  resyncs from %s%n",
                    DemoLayout.NODE_NAMES.get(i), agents.nodes().get(i).uri(), layout.upstreamTemplate());
        }
        DemoConfig.write(
                layout,
                agents.primary().uri(),
                agents.nodes().stream().map(AgentServer::uri).toList());
        out.println("  token    " + layout.tokenFile() + " (random, chmod 600; every agent demands it)");
        out.println("  config   " + layout.configFile() + " (repair.mode agent, repair.settle " + DemoConfig.SETTLE
                + ", state.dir " + layout.stateDir() + ")");
        out.println("  note     repair.max-fraction is " + DemoConfig.MAX_FRACTION + " here, not the default 0.05:"
                + " the safety valve allows max(1, 5% of " + PrimaryFleet.REPOSITORY_COUNT
                + ") = 1 repair per node and vet,");
        out.println("           and each node drifted in 2 repositories on purpose; keep 0.05 on a real farm");
        try {
            return ConfigLoader.load(layout.configFile());
        } catch (ConfigException e) {
            throw new IllegalStateException("the demo wrote a config its own loader refuses: " + e.getMessage(), e);
        }
    }

    // ---- steps 5 to 7: the vets ----

    private static VetReport vet(FarmvetConfig config) throws IOException {
        ListingReader reader = new ListingReader(config.listing().limits());
        try (ListingFetcher fetcher =
                new ListingFetcher(config.http(), reader, config.nodes().size() + 1)) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            return vet.run(vet.newProgress());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the HTTP client: " + e.getMessage(), e);
        }
    }

    /** The first vet by name: each drift made, what the vet found there, and what it did about it. */
    private void explainFirst(VetReport report, List<Drift> drifts) {
        out.println();
        out.println("  By name: what was found on each node, and the repair sent to its agent");
        for (VetReport.NodeResult node : report.nodes()) {
            Map<Long, RepairEntry> repairs = byRepository(node.repairs());
            Map<Long, Drift> made = new LinkedHashMap<>();
            drifts.stream()
                    .filter(d -> d.node().equals(node.name()))
                    .forEach(d -> made.put(d.repository().repositoryId(), d));
            String label = node.name();
            for (Inconsistency found : node.inconsistencies()) {
                RepairEntry repair = repairs.get(found.repositoryId());
                Drift drift = made.remove(found.repositoryId());
                out.printf(
                        "    %-7s %-16s %-9s %-7s %s%n",
                        label,
                        name(found.repositoryId()),
                        kinds(found.kinds()),
                        repair == null ? "-" : repair.outcome().wireName(),
                        drift == null ? "(not made by the demo!)" : "(" + drift.change() + ")");
                label = "";
            }
            for (Drift missed : made.values()) {
                out.printf("    %-7s %-16s NOT FOUND by the vet (%s)%n", label, missed.repository(), missed.change());
                label = "";
            }
        }
    }

    /** The second vet's verifications of the first vet's repairs, by name. */
    private void explainSecond(VetReport report) {
        out.println();
        out.println("  The first vet's repairs, verified against this vet's listings");
        for (VetReport.NodeResult node : report.nodes()) {
            String label = node.name();
            for (RepairEntry entry : node.repairs()) {
                if (!(entry.outcome() instanceof VerificationOutcome)) {
                    continue;
                }
                out.printf(
                        "    %-7s %-16s %-9s %s%n",
                        label,
                        name(entry.repoId()),
                        entry.kindsText(),
                        entry.detail() == null ? entry.outcome().wireName() : entry.detail());
                label = "";
            }
        }
    }

    private static long verifications(VetReport report, VerificationOutcome outcome) {
        return report.nodes().stream()
                .flatMap(n -> n.repairs().stream())
                .filter(e -> e.outcome() == outcome)
                .count();
    }

    private String stillWrong(VetReport report) {
        List<String> wrong = new ArrayList<>();
        if (report.primary().failed()) {
            wrong.add("primary: " + report.primary().error());
        }
        for (VetReport.NodeResult node : report.nodes()) {
            if (node.failed()) {
                wrong.add(node.name() + ": " + node.error());
            }
            for (Inconsistency found : node.inconsistencies()) {
                wrong.add(node.name() + " " + name(found.repositoryId()) + " " + kinds(found.kinds()));
            }
        }
        if (report.repairError() != null) {
            wrong.add(report.repairError());
        }
        return wrong.isEmpty() ? report.status().wireName() : String.join("; ", wrong);
    }

    // ---- helpers ----

    private Map<RepositoryName, RepositoryHashes> hashAll(Path root, List<RepositoryName> fleet) throws IOException {
        Map<RepositoryName, RepositoryHashes> hashes = new LinkedHashMap<>();
        for (RepositoryName name : fleet) {
            try {
                hashes.put(name, hasher.hash(name.path(root), name.projectKey(), name.slug()));
            } catch (RepositoryHashException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return hashes;
    }

    private static boolean same(RepositoryHashes a, RepositoryHashes b) {
        return a.contentHash().equals(b.contentHash()) && a.metadataHash().equals(b.metadataHash());
    }

    private static Map<Long, RepairEntry> byRepository(List<RepairEntry> entries) {
        Map<Long, RepairEntry> byId = new HashMap<>();
        for (RepairEntry entry : entries) {
            byId.put(entry.repoId(), entry);
        }
        return byId;
    }

    private String name(long repositoryId) {
        RepositoryName name = names.get(repositoryId);
        return name == null ? "repository " + repositoryId : name.toString();
    }

    private static String kinds(java.util.Set<Kind> kinds) {
        return kinds.stream().map(Kind::wireName).collect(Collectors.joining(","));
    }

    private void section(String title) {
        out.println();
        out.println(title);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** For {@code --keep-running}: where the farm is and what to try with it. */
    void printPlayground() {
        String token = layout.tokenFile().toString();
        AgentServer node1 = agents.nodes().get(0);
        RepositoryName sample = NodeDrifts.BRANCH_BEHIND;
        out.println();
        out.println("The farm keeps running until Ctrl-C (its files stay in " + layout.dir() + "):");
        out.printf("  primary  %s  %s%n", agents.primary().uri(), layout.primary());
        for (int i = 0; i < agents.nodes().size(); i++) {
            out.printf(
                    "  %-7s  %s  %s%n",
                    DemoLayout.NODE_NAMES.get(i), agents.nodes().get(i).uri(), layout.node(i));
        }
        out.println("  token    " + token);
        out.println("  config   " + layout.configFile());
        out.println("  audit    " + layout.stateDir().resolve("repairs.jsonl"));
        out.println("Try:");
        out.println("  ./farmvet vet --config " + layout.configFile());
        out.println("  curl -s -H \"Authorization: Bearer $(cat " + token + ")\" " + node1.uri()
                + "/rest/mirroring/latest/repo-hashes");
        out.println("  curl -s " + node1.uri() + "/status");
        out.println("  git -C " + sample.path(layout.node(0)) + " for-each-ref --format='%(objectname) %(refname)'"
                + " refs/heads refs/tags | LC_ALL=C sort -k2 | sha256sum");
        out.println("      # prints " + contentHash(sample.path(layout.node(0))) + ", the content hash of " + sample
                + " in every listing");
        out.println("  git -C " + sample.path(layout.node(0)) + " update-ref -d refs/tags/v1.0   # drift by hand,"
                + " then vet again");
        out.flush();
    }

    private String contentHash(Path gitDir) {
        try {
            return new RepositoryHasher().hash(gitDir).contentHash();
        } catch (RepositoryHashException e) {
            return "(cannot hash it: " + e.getMessage() + ")";
        }
    }

    /** Waits until the agents are stopped (by {@link #close}, from a shutdown hook). */
    void awaitStop() throws InterruptedException {
        agents.primary().join();
    }

    /** Stops the agents; the farm's files stay. */
    @Override
    public void close() {
        if (agents != null) {
            agents.close();
        }
    }
}

package io.farmvet.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.farmvet.cli.Main;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.explain.RepositoryRefs;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairOutcome;
import io.farmvet.repair.VerificationOutcome;
import io.farmvet.vet.VetReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code farmvet demo} end to end (issue 4): real repositories, real agents on loopback, the real config loader and
 * vet. The farm must converge, every node's hashes (computed here, independently of the agents) must equal the
 * primary's, and nothing but the drifted repositories may have been touched, down to the files.
 */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void theFarmConvergesAndOnlyTheDriftedRepositoriesAreTouched() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Map<Path, RepositoryState> before = new TreeMap<>();
        Demo.Result result;
        DemoLayout layout;
        try (Demo demo = new Demo(dir, new PrintStream(text, true, StandardCharsets.UTF_8))) {
            layout = demo.layout();
            result = demo.run(farm -> {
                before.putAll(states(farm.primary()));
                for (Path node : farm.nodes()) {
                    before.putAll(states(node));
                }
            });
        }
        String output = text.toString(StandardCharsets.UTF_8);

        assertThat(result.exitCode()).as(output).isEqualTo(Demo.EXIT_CONVERGED);
        assertThat(output).contains("farm converged: 6 of 6 drifted repositories repaired and verified");

        // Every node now holds exactly the primary's repositories, with the primary's hashes.
        Map<String, RepositoryHashes> primary = hashes(layout.primary());
        assertThat(primary).hasSize(PrimaryFleet.REPOSITORY_COUNT);
        for (Path node : layout.nodes()) {
            assertThat(hashes(node)).as(node.toString()).isEqualTo(primary);
        }

        // The first vet found exactly the drift the demo made, and sent one repair for each.
        List<Drift> drifts = result.drifts();
        assertThat(drifts).hasSize(6);
        for (VetReport.NodeResult node : result.first().nodes()) {
            List<Drift> made =
                    drifts.stream().filter(d -> d.node().equals(node.name())).toList();
            assertThat(made).as(node.name()).hasSize(2);
            assertThat(node.inconsistencies())
                    .as(node.name())
                    .extracting(Inconsistency::repositoryId, Inconsistency::kinds)
                    .containsExactlyInAnyOrderElementsOf(made.stream()
                            .map(d -> tuple(d.repository().repositoryId(), Set.of(d.kind())))
                            .toList());
            assertThat(node.repairs())
                    .as(node.name())
                    .extracting(RepairEntry::repoId, RepairEntry::outcome)
                    .containsExactlyInAnyOrderElementsOf(made.stream()
                            .map(d -> tuple(d.repository().repositoryId(), RepairOutcome.SENT))
                            .toList());
        }

        // The first vet listed the refs that differ for each content drift, from the agents' refs endpoint, and
        // printed them under the repository (issue 12).
        for (Drift drift : drifts.stream().filter(d -> d.kind() == Kind.CONTENT).toList()) {
            RepositoryRefs refs =
                    result.first().refs().of(drift.node(), drift.repository().repositoryId());
            assertThat(refs).as(drift.change()).isNotNull();
            assertThat(refs.refs()).as(drift.change()).isNotEmpty();
        }
        assertThat(result.first().refs().notes()).isEmpty();
        assertThat(output)
                .containsPattern("\\n        refs/tags/v1\\.1: primary [0-9a-f]{12}, node-1 absent\\n")
                .containsPattern("\\n        refs/heads/release/1\\.x: primary [0-9a-f]{12}, node-3 absent\\n")
                .containsPattern("\\n        refs/heads/main: primary [0-9a-f]{12}, node-1 [0-9a-f]{12}\\n");

        // Issue 12 section 3: the first vet asked each agent why its drifted repositories are behind, and the
        // agents told what they know: synced at their clone (FETCH_HEAD), no failed resync, still served. A
        // missing repository has no sync status, an extra one is not the primary's: neither is looked into.
        for (Drift drift : drifts) {
            var sync = result.first()
                    .sync()
                    .repository(drift.node(), drift.repository().repositoryId());
            if (drift.kind() == io.farmvet.compare.Kind.MISSING || drift.kind() == io.farmvet.compare.Kind.EXTRA) {
                assertThat(sync).as(drift.toString()).isNull();
            } else {
                assertThat(sync).as(drift.toString()).isNotNull();
                assertThat(sync.lastSyncDate())
                        .as(drift.toString())
                        .isBefore(result.first().startedAt());
                assertThat(sync.failedSyncCount()).as(drift.toString()).isZero();
                assertThat(sync.status()).as(drift.toString()).isEqualTo("AVAILABLE");
            }
        }
        assertThat(result.first().sync().node("node-1").refChangesQueue()).isZero();
        assertThat(result.first().sync().node("node-1").notes()).isEmpty();
        // The agents answer repos/{id} and repoSyncStatus, so a small drift is confirmed per repository; node-2's
        // extra repository has no name on the primary, so that node is looked at again through the listings.
        assertThat(result.first().nodes())
                .filteredOn(n -> !n.name().equals("node-2"))
                .allSatisfy(
                        n -> assertThat(n.secondLook().way()).isEqualTo(io.farmvet.vet.SecondLook.Way.PER_REPOSITORY));
        assertThat(output).contains("    looked again per repository (4 requests, ");
        assertThat(output)
                .containsPattern("      API/billing \\(id \\d+\\): content\n"
                        + "        sync: last synced \\d+ (s|min) ago, 0 failed syncs, status AVAILABLE\n");

        // The second vet found the farm consistent and verified every repair as repaired.
        assertThat(result.second().status()).isEqualTo(VetReport.Status.CONSISTENT);
        assertThat(result.second().exitCode()).isZero();
        for (VetReport.NodeResult node : result.second().nodes()) {
            assertThat(node.inconsistencies()).as(node.name()).isEmpty();
            assertThat(node.repairs())
                    .as(node.name())
                    .extracting(RepairEntry::repoId, RepairEntry::outcome)
                    .containsExactlyInAnyOrderElementsOf(drifts.stream()
                            .filter(d -> d.node().equals(node.name()))
                            .map(d -> tuple(d.repository().repositoryId(), VerificationOutcome.REPAIRED))
                            .toList());
        }

        // Nothing else was touched: not one file of the primary or of a node's other repositories changed.
        Set<Path> drifted = drifts.stream()
                .map(d -> d.repository().path(layout.node(DemoLayout.NODE_NAMES.indexOf(d.node()))))
                .collect(Collectors.toSet());
        Map<Path, RepositoryState> after = new TreeMap<>(states(layout.primary()));
        for (Path node : layout.nodes()) {
            after.putAll(states(node));
        }
        Map<Path, RepositoryState> untouchedBefore = new LinkedHashMap<>(before);
        untouchedBefore.keySet().removeAll(drifted);
        Map<Path, RepositoryState> untouchedAfter = new LinkedHashMap<>(after);
        untouchedAfter.keySet().removeAll(drifted);
        assertThat(untouchedBefore).hasSize(4 * PrimaryFleet.REPOSITORY_COUNT - 5);
        assertThat(untouchedAfter.keySet()).isEqualTo(untouchedBefore.keySet());
        for (Map.Entry<Path, RepositoryState> repository : untouchedBefore.entrySet()) {
            assertThat(untouchedAfter.get(repository.getKey()))
                    .as("%s was not drifted, so nothing may touch it", repository.getKey())
                    .isEqualTo(repository.getValue());
        }

        // The extra repository was moved to node-2's quarantine whole, not deleted.
        Path extra = NodeDrifts.LEFT_BEHIND.path(layout.node(1));
        assertThat(extra).doesNotExist();
        List<Path> quarantined;
        try (Stream<Path> entries = Files.list(layout.quarantine(1))) {
            quarantined = entries.toList();
        }
        assertThat(quarantined).hasSize(1);
        assertThat(quarantined.get(0).getFileName().toString()).endsWith("-WEB-prototype.git");
        assertThat(state(quarantined.get(0)).refs()).isEqualTo(before.get(extra).refs());
        assertThat(Files.exists(layout.quarantine(0)) ? listed(layout.quarantine(0)) : List.of())
                .isEmpty();
        assertThat(Files.exists(layout.quarantine(2)) ? listed(layout.quarantine(2)) : List.of())
                .isEmpty();

        // The token the agents demand is the operator's alone.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.tokenFile())))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesAFolderThatIsNotEmpty() throws IOException {
        Files.writeString(dir.resolve("something"), "mine");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = new Main(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        false)
                .run("demo", "--dir", dir.toString());

        assertThat(code).isEqualTo(DemoCommand.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not empty");
        assertThat(listed(dir)).containsExactly(dir.resolve("something"));
    }

    @Test
    void refusesUnknownArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = new Main(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        false)
                .run("demo", "--keep-runing");

        assertThat(code).isEqualTo(DemoCommand.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("farmvet demo: unknown option '--keep-runing'; did you mean '--keep-running'?")
                .contains("farmvet help demo");
    }

    // ---- what a repository looks like on disk ----

    /**
     * Everything a resync could change: the ref lines of the content hash, {@code HEAD}, and every file's size and
     * modification time.
     */
    record RepositoryState(String refs, String head, Map<String, String> files) {}

    private static Map<Path, RepositoryState> states(Path root) throws IOException {
        Map<Path, RepositoryState> states = new TreeMap<>();
        for (Path gitDir : repositories(root)) {
            states.put(gitDir, state(gitDir));
        }
        return states;
    }

    private static RepositoryState state(Path gitDir) throws IOException {
        RepositoryHasher fresh = new RepositoryHasher();
        String refs;
        String head;
        try {
            refs = fresh.contentInput(gitDir);
            head = fresh.hash(gitDir).head();
        } catch (io.farmvet.git.RepositoryHashException e) {
            throw new IOException(e);
        }
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(gitDir)) {
            for (Path file : walk.toList()) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                files.put(
                        gitDir.relativize(file).toString(),
                        attributes.isDirectory()
                                ? "dir"
                                : attributes.size() + " bytes, modified " + attributes.lastModifiedTime());
            }
        }
        return new RepositoryState(refs, head, files);
    }

    /** Every {@code KEY/slug.git} under a repositories folder, hashed from the folders by a fresh hasher. */
    private static Map<String, RepositoryHashes> hashes(Path root) throws Exception {
        RepositoryHasher fresh = new RepositoryHasher();
        Map<String, RepositoryHashes> hashes = new TreeMap<>();
        for (Path gitDir : repositories(root)) {
            RepositoryHashes hash = fresh.hash(gitDir);
            hashes.put(hash.projectKey() + "/" + hash.slug(), hash);
        }
        return hashes;
    }

    private static List<Path> repositories(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root, 2)) {
            return walk.filter(p -> root.relativize(p).getNameCount() == 2)
                    .filter(p -> p.getFileName().toString().endsWith(".git"))
                    .sorted()
                    .toList();
        }
    }

    private static List<Path> listed(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.toList();
        }
    }
}

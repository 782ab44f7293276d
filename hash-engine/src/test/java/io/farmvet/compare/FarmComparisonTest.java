package io.farmvet.compare;

import static io.farmvet.compare.Kind.CONTENT;
import static io.farmvet.compare.Kind.EXTRA;
import static io.farmvet.compare.Kind.METADATA;
import static io.farmvet.compare.Kind.MISSING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingFormatException;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FarmComparisonTest {
    private static final String ZERO40 = "0".repeat(40);
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String M1 = "1".repeat(64);
    private static final String M2 = "2".repeat(64);

    private final ListingEntry entry = new ListingEntry();

    @Test
    void identicalListingsAgreeWhateverTheOrder() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1), row(1, 11, B, M2), row(2, 20, A, M2));
        NodeComparison node = node(primary, row(2, 20, A, M2), row(1, 11, B, M2), row(1, 10, A, M1));

        assertThat(verdicts(primary, Scope.INFERRED, node)).isEmpty();
    }

    @Test
    void contentAndMetadataDifferencesAreBothReported() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1), row(1, 11, A, M1), row(1, 12, A, M1));
        NodeComparison node = node(primary, row(1, 10, B, M1), row(1, 11, A, M2), row(1, 12, B, M2));

        assertThat(verdicts(primary, Scope.INFERRED, node))
                .containsExactly(
                        new Inconsistency(10, 1, Set.of(CONTENT)),
                        new Inconsistency(11, 1, Set.of(METADATA)),
                        new Inconsistency(12, 1, Set.of(CONTENT, METADATA)));
    }

    @Test
    void hashesCompareCaseInsensitively() throws Exception {
        PrimaryTable primary = table(row(1, 10, "ABCDEF0123", "FF00"));
        NodeComparison node = node(primary, row(1, 10, "abcdef0123", "ff00"));

        assertThat(verdicts(primary, Scope.ALL, node)).isEmpty();
    }

    @Test
    void zeroContentHashOnEitherSideCountsAsUpToDateButMetadataIsStillCompared() throws Exception {
        PrimaryTable primary = table(row(1, 10, ZERO40, M1), row(1, 11, A, M1), row(1, 12, "000", M1));
        NodeComparison node = node(primary, row(1, 10, B, M1), row(1, 11, ZERO40, M2), row(1, 12, A, M1));

        assertThat(verdicts(primary, Scope.INFERRED, node)).containsExactly(new Inconsistency(11, 1, Set.of(METADATA)));
    }

    @Test
    void hashesOfDifferentLengthsDiffer() throws Exception {
        PrimaryTable primary = table(row(1, 10, "ab", M1));
        NodeComparison node = node(primary, row(1, 10, "ab0", M1));

        assertThat(verdicts(primary, Scope.ALL, node)).containsExactly(new Inconsistency(10, 1, Set.of(CONTENT)));
    }

    @Test
    void extraRepositoriesCarryTheNodesProject() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1));
        NodeComparison node = node(primary, row(1, 10, A, M1), row(7, 99, A, M1));

        assertThat(verdicts(primary, Scope.INFERRED, node)).containsExactly(new Inconsistency(99, 7, Set.of(EXTRA)));
    }

    @Test
    void aRepositoryFiledUnderAnotherProjectIsMetadataDrift() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1));
        NodeComparison node = node(primary, row(2, 10, A, M1));

        assertThat(verdicts(primary, Scope.ALL, node)).containsExactly(new Inconsistency(10, 1, Set.of(METADATA)));
    }

    @Test
    void inferredScopeIsTheUnionOfWhatTheVettedNodesList() throws Exception {
        // Projects 1 and 2 are mirrored (node a lists 1, node b lists 2); project 3 is not mirrored at all.
        PrimaryTable primary = table(row(1, 10, A, M1), row(2, 20, A, M1), row(3, 30, A, M1));
        NodeComparison a = node(primary, row(1, 10, A, M1));
        NodeComparison b = node(primary, row(2, 20, A, M1));

        assertThat(verdicts(primary, Scope.INFERRED, a, b)).containsExactly(new Inconsistency(20, 2, Set.of(MISSING)));
        assertThat(FarmComparison.verdicts(primary, b, FarmComparison.scope(Scope.INFERRED, List.of(a, b))))
                .containsExactly(new Inconsistency(10, 1, Set.of(MISSING)));
    }

    @Test
    void aProjectListedWithoutRepositoriesIsInScope() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1));
        NodeComparison node = new NodeComparison(primary);
        node.project(1, false, null);
        node.end();

        assertThat(verdicts(primary, Scope.INFERRED, node)).containsExactly(new Inconsistency(10, 1, Set.of(MISSING)));
    }

    @Test
    void scopeAllAndExplicitDecideWhatIsMissing() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1), row(2, 20, A, M1), row(3, 30, A, M1));
        NodeComparison node = node(primary, row(1, 10, A, M1));

        assertThat(verdicts(primary, Scope.ALL, node))
                .extracting(Inconsistency::repositoryId)
                .containsExactly(20L, 30L);
        assertThat(verdicts(primary, Scope.of(3), node)).containsExactly(new Inconsistency(30, 3, Set.of(MISSING)));
        assertThat(verdicts(primary, Scope.INFERRED, node)).isEmpty();
    }

    @Test
    void aRepositoryListedTwiceByTheNodeIsRejected() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1));
        NodeComparison node = node(primary, row(1, 10, A, M1));

        assertThatThrownBy(() -> node.repository(entry.set(1, 10, A, M1)))
                .isInstanceOf(EntryRejectedException.class)
                .hasMessage("repository 10 is listed twice");
        node.repository(entry.set(1, 77, A, M1));
        assertThatThrownBy(() -> node.repository(entry.set(1, 77, A, M1))).hasMessage("repository 77 is listed twice");
    }

    @Test
    void aRepositoryListedTwiceByThePrimaryIsRejectedWhenSealed() throws Exception {
        for (long other : new long[] {11, 1L << 52}) { // dense ids, then sparse ones
            PrimaryTable primary = new PrimaryTable();
            feed(primary, row(1, 10, A, M1), row(2, other, A, M1), row(4, 10, B, M1));

            assertThatThrownBy(primary::seal)
                    .isInstanceOf(EntryRejectedException.class)
                    .hasMessage("repository 10 is listed twice (projects 1 and 4)")
                    .satisfies(e -> assertThat(((EntryRejectedException) e).repositoryId())
                            .isEqualTo(10));
            assertThatThrownBy(() -> primary.indexOf(10))
                    .as("a table that failed to seal cannot be used")
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aPrimaryListingWithAnIdTwiceFailsAtItsEndNamingThatRepository() {
        String doc = "{\"projects\":[{\"id\":1,\"repositories\":[" + repo(10) + "," + repo(11) + "]},"
                + "{\"id\":4,\"repositories\":[" + repo(10) + "," + repo(12) + "]}]}";
        ListingFormatException e =
                catchThrowableOfType(ListingFormatException.class, () -> new ListingReader(ListingLimits.DEFAULTS)
                        .read(
                                new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)),
                                "primary",
                                ListingKind.FULL,
                                new PrimaryTable()));

        assertThat(e.problem()).isEqualTo("repository 10 is listed twice (projects 1 and 4)");
        assertThat(e.nearRepositoryId()).as("not 12, the last one read").isEqualTo(10);
        assertThat(e.byteOffset()).isEqualTo(doc.length());
    }

    private static String repo(long id) {
        return "{\"id\":" + id + ",\"hashes\":{\"content\":\"" + A + "\",\"metadata\":\"" + M1 + "\"}}";
    }

    @Test
    void aTableIsLookedUpOnlyOnceSealed() throws Exception {
        PrimaryTable primary = new PrimaryTable();
        feed(primary, row(1, 10, A, M1));

        assertThatThrownBy(() -> primary.indexOf(10)).isInstanceOf(IllegalStateException.class);
        primary.end();
        assertThat(primary.indexOf(10)).isZero();
    }

    @Test
    void nodeVerdictsAreReadOnlyOnceEveryBatchedEntryIsJudged() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1), row(1, 11, A, M1));
        NodeComparison node = new NodeComparison(primary);
        node.repository(entry.set(1, 10, B, M1));

        assertThatThrownBy(() -> verdicts(primary, Scope.ALL, node)).isInstanceOf(IllegalStateException.class);
        node.end();
        assertThat(verdicts(primary, Scope.ALL, node))
                .containsExactly(new Inconsistency(10, 1, Set.of(CONTENT)), new Inconsistency(11, 1, Set.of(MISSING)));
    }

    @Test
    void batchesAreJudgedWholeAndInPartsAlike() throws Exception {
        // More entries than a batch holds, ids dense but with holes (extras inside the span) and some beyond it.
        int n = 3 * NodeComparison.BATCH + 7;
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(row(1 + i % 3, 2L * i + 100, A, M1));
        }
        PrimaryTable primary = table(rows.toArray(String[][]::new));
        NodeComparison node = new NodeComparison(primary);
        List<Inconsistency> expected = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            long id = 2L * i + 100;
            if (i % 50 == 0) {
                expected.add(new Inconsistency(id, 1 + i % 3, Set.of(MISSING)));
            } else if (i % 50 == 1) {
                node.repository(entry.set(1 + i % 3, id, B, M1));
                expected.add(new Inconsistency(id, 1 + i % 3, Set.of(CONTENT)));
            } else {
                node.repository(entry.set(1 + i % 3, id, A, M1));
            }
            if (i % 100 == 3) {
                node.repository(entry.set(9, id + 1, A, M1)); // a hole in the span
                expected.add(new Inconsistency(id + 1, 9, Set.of(EXTRA)));
            }
        }
        node.repository(entry.set(9, 5, A, M1)); // below the span
        node.repository(entry.set(9, 1_000_000, A, M1)); // above it
        expected.add(new Inconsistency(5, 9, Set.of(EXTRA)));
        expected.add(new Inconsistency(1_000_000, 9, Set.of(EXTRA)));
        assertThatThrownBy(() -> node.repository(entry.set(1, 102, A, M1)))
                .as("listed twice, though its first listing is still batched")
                .hasMessage("repository 102 is listed twice");
        assertThatThrownBy(() -> node.repository(entry.set(9, 1_000_000, A, M1)))
                .hasMessage("repository 1000000 is listed twice");
        node.end();
        expected.sort(java.util.Comparator.comparingLong(Inconsistency::repositoryId));

        assertThat(verdicts(primary, Scope.ALL, node)).isEqualTo(expected);
    }

    @Test
    void contentOrMetadataListingsCompareOnlyWhatTheyCarry() throws Exception {
        PrimaryTable primary = table(row(1, 10, A, M1), row(1, 11, A, M1));
        NodeComparison contentOnly = node(primary, row(1, 10, B, null), row(1, 11, A, null));
        NodeComparison metadataOnly = node(primary, row(1, 10, null, M2), row(1, 11, null, M1));

        assertThat(verdicts(primary, Scope.ALL, contentOnly))
                .containsExactly(new Inconsistency(10, 1, Set.of(CONTENT)));
        assertThat(verdicts(primary, Scope.ALL, metadataOnly))
                .containsExactly(new Inconsistency(10, 1, Set.of(METADATA)));
    }

    @Test
    void tableKeepsHashesAndIdsExactly() throws Exception {
        PrimaryTable primary = table(row(5, 1L << 52, "ABC", null), row(6, 0, ZERO40, M1));

        int big = primary.indexOf(1L << 52);
        assertThat(primary.contentHex(big)).isEqualTo("abc");
        assertThat(primary.metadataHex(big)).isNull();
        assertThat(primary.projectId(big)).isEqualTo(5);
        int zero = primary.indexOf(0);
        assertThat(primary.contentHex(zero)).isEqualTo(ZERO40);
        assertThat(primary.metadataHex(zero)).isEqualTo(M1);
        assertThat(primary.indexOf(12345)).isEqualTo(-1);
        assertThat(primary.hasProject(6)).isTrue();
        assertThat(primary.hasProject(7)).isFalse();
    }

    @Test
    void sealedTableFindsDenseAndSparseIdsAlike() throws Exception {
        long[][] farms = {
            {7, 8, 9, 12, 3, 100}, // dense: looked up by offset from 3
            {5, 1L << 52, 0, 4000}, // a span of 2^52: keeps the slots
            {Long.MAX_VALUE, Long.MIN_VALUE, 0}, // the span overflows a long: keeps the slots
            {Long.MAX_VALUE - 2, Long.MAX_VALUE}, // dense at the very top
            {Long.MIN_VALUE, Long.MIN_VALUE + 5}, // dense at the very bottom
            {-10, -3, 2}, // dense across zero
        };
        long[] probes = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -11, -1, 0, 1, 2, 6, 10, 101, 4001, Long.MAX_VALUE - 1};
        for (long[] ids : farms) {
            PrimaryTable primary = new PrimaryTable();
            for (long id : ids) {
                primary.repository(entry.set(1, id, A, M1));
            }
            primary.seal();
            primary.seal();
            assertThat(primary.denseSpan() > 0)
                    .as("dense %s", Arrays.toString(ids))
                    .isEqualTo(dense(ids));
            List<Long> listed = new ArrayList<>();
            for (long id : ids) {
                listed.add(id);
                assertThat(primary.repositoryId(primary.indexOf(id))).isEqualTo(id);
            }
            for (long probe : probes) {
                if (!listed.contains(probe)) {
                    assertThat(primary.indexOf(probe))
                            .as("%d in %s", probe, listed)
                            .isEqualTo(-1);
                }
            }
            assertThatThrownBy(() -> primary.repository(entry.set(1, 42, A, M1)))
                    .isInstanceOf(IllegalStateException.class);

            NodeComparison node = new NodeComparison(primary);
            for (long id : ids) {
                node.repository(entry.set(1, id, A, M1));
            }
            assertThatThrownBy(() -> node.repository(entry.set(1, ids[ids.length - 1], A, M1)))
                    .hasMessage("repository " + ids[ids.length - 1] + " is listed twice");
            node.end();
            assertThat(verdicts(primary, Scope.ALL, node)).isEmpty();
        }
        PrimaryTable empty = new PrimaryTable();
        empty.seal();
        assertThat(empty.indexOf(0)).isEqualTo(-1);
    }

    @Test
    void tableKeepsNamesOnlyWhereTheListingGivesThem() throws Exception {
        PrimaryTable primary = new PrimaryTable();
        primary.repository(entry.set(3, 30, A, M1).slug("web"));
        primary.repository(entry.set(3, 31, A, M1));
        primary.project(3, false, "PRJ");
        primary.repository(entry.set(4, 40, A, M1));
        primary.project(4, false, null);
        primary.seal();

        assertThat(primary.slug(primary.indexOf(30))).isEqualTo("web");
        assertThat(primary.projectKey(primary.indexOf(30))).isEqualTo("PRJ");
        assertThat(primary.slug(primary.indexOf(31))).isNull();
        assertThat(primary.projectKey(primary.indexOf(40))).isNull();
    }

    @Test
    void largeShuffledFarmFindsExactlyTheDriftItWasGiven() throws Exception {
        SplittableRandom random = new SplittableRandom(20261122);
        int n = 50_000;
        List<String[]> primaryRows = new ArrayList<>();
        PrimaryTable primary = new PrimaryTable();
        for (int i = 0; i < n; i++) {
            String[] row = {String.valueOf(i % 97), String.valueOf(i * 3L + 1), hex(random), hex(random)};
            primaryRows.add(row);
            primary.repository(entry.set(Long.parseLong(row[0]), Long.parseLong(row[1]), row[2], row[3]));
        }
        primary.seal(); // ids 1, 4, 7 ...: a span of 3 per repository, dense enough for the direct array
        List<String[]> nodeRows = new ArrayList<>(primaryRows);
        Collections.shuffle(nodeRows, new java.util.Random(7));
        List<Inconsistency> expected = new ArrayList<>();
        NodeComparison node = new NodeComparison(primary);
        for (int i = 0; i < nodeRows.size(); i++) {
            String[] row = nodeRows.get(i);
            long id = Long.parseLong(row[1]);
            long project = Long.parseLong(row[0]);
            if (i % 1000 == 0) {
                expected.add(new Inconsistency(id, project, Set.of(MISSING)));
                continue;
            }
            String content = i % 1000 == 1 ? hex(random) : row[2];
            if (i % 1000 == 1) {
                expected.add(new Inconsistency(id, project, Set.of(CONTENT)));
            }
            node.repository(entry.set(project, id, content, row[3]));
        }
        node.repository(entry.set(1, 2, A, M1));
        node.end();
        expected.add(new Inconsistency(2, 1, Set.of(EXTRA)));
        expected.sort(java.util.Comparator.comparingLong(Inconsistency::repositoryId));

        assertThat(verdicts(primary, Scope.ALL, node)).isEqualTo(expected);
        assertThat(primary.footprintBytes() / n).isLessThan(200);
    }

    /** What {@link PrimaryTable#seal()} decides: a span of ids under 4 per repository, plus some slack. */
    private static boolean dense(long[] ids) {
        long span = Arrays.stream(ids).max().orElseThrow()
                - Arrays.stream(ids).min().orElseThrow();
        return span >= 0 && span < 4L * ids.length + 1024;
    }

    private static String hex(SplittableRandom random) {
        return String.format(
                "%016x%016x%016x%016x", random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    private static String[] row(long project, long repo, String content, String metadata) {
        return new String[] {String.valueOf(project), String.valueOf(repo), content, metadata};
    }

    private PrimaryTable table(String[]... rows) throws EntryRejectedException {
        PrimaryTable table = new PrimaryTable();
        feed(table, rows);
        table.seal();
        return table;
    }

    private NodeComparison node(PrimaryTable primary, String[]... rows) throws EntryRejectedException {
        NodeComparison node = new NodeComparison(primary);
        feed(node, rows);
        node.end();
        return node;
    }

    private void feed(io.farmvet.listing.ListingHandler handler, String[]... rows) throws EntryRejectedException {
        for (String[] row : rows) {
            handler.repository(entry.set(Long.parseLong(row[0]), Long.parseLong(row[1]), row[2], row[3]));
            handler.project(Long.parseLong(row[0]), false, null);
        }
    }

    private static List<Inconsistency> verdicts(PrimaryTable primary, Scope scope, NodeComparison... nodes) {
        return FarmComparison.verdicts(primary, nodes[0], FarmComparison.scope(scope, List.of(nodes)));
    }
}

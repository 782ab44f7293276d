package io.farmvet.grokmirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.git.StableIds;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Two manifests judged by the vet's own comparison, through {@link ManifestListing}. */
class ManifestListingTest {
    private static final String GIT = "/pub/scm/git/git.git";
    private static final String LINUX = "/pub/scm/linux/kernel/git/torvalds/linux.git";
    private static final String TOP = "/top.git";

    private final ManifestReader reader = new ManifestReader();

    /** Verdicts by manifest path. */
    private Map<String, Set<Kind>> compare(Manifests primary, Manifests node) throws IOException {
        PrimaryTable table = new PrimaryTable();
        ManifestListing.read(reader, new ByteArrayInputStream(primary.gzipped()), "primary.js.gz", table);
        NodeComparison comparison = new NodeComparison(table);
        ManifestListing.read(reader, new ByteArrayInputStream(node.bytes()), "node.js", comparison);
        return byPath(FarmComparison.verdicts(table, comparison, FarmComparison.scope(Scope.ALL, List.of(comparison))));
    }

    private static Map<String, Set<Kind>> byPath(List<Inconsistency> found) {
        Map<Long, String> paths =
                Map.of(id(GIT), GIT, id(LINUX), LINUX, id(TOP), TOP, id("/pub/only.git"), "/pub/only.git");
        Map<String, Set<Kind>> out = new TreeMap<>();
        for (Inconsistency i : found) {
            out.put(paths.getOrDefault(i.repositoryId(), "id " + i.repositoryId()), i.kinds());
        }
        return out;
    }

    private static long id(String path) {
        return StableIds.repositoryId(ManifestPaths.projectKey(path), ManifestPaths.slug(path));
    }

    private static Manifests farm() {
        return new Manifests()
                .repo(GIT, Manifests.fp('a'))
                .repo(LINUX, Manifests.fp('b'))
                .repo(TOP, Manifests.fp('c'));
    }

    @Test
    void equalFingerprintsAgreeWhateverTheKeyOrder() throws IOException {
        Manifests reordered = new Manifests()
                .repo(TOP, Manifests.fp('c'))
                .repo(LINUX, Manifests.fp('b'))
                .repo(GIT, Manifests.fp('a'));
        assertThat(compare(farm(), reordered)).isEmpty();
    }

    @Test
    void aDifferentFingerprintIsContentAndADifferentHeadIsMetadata() throws IOException {
        Manifests node = new Manifests()
                .repo(GIT, Manifests.fp('d'))
                .repo(LINUX, Manifests.fp('b'), "ref: refs/heads/main")
                .repo(TOP, Manifests.fp('c'));
        assertThat(compare(farm(), node)).isEqualTo(Map.of(GIT, Set.of(Kind.CONTENT), LINUX, Set.of(Kind.METADATA)));
    }

    @Test
    void keysOnOneSideOnlyAreMissingOrExtra() throws IOException {
        Manifests node = new Manifests()
                .repo(GIT, Manifests.fp('a'))
                .repo(TOP, Manifests.fp('c'))
                .repo("/pub/only.git", Manifests.fp('e'));
        assertThat(compare(farm(), node))
                .isEqualTo(Map.of(LINUX, Set.of(Kind.MISSING), "/pub/only.git", Set.of(Kind.EXTRA)));
    }

    @Test
    void aMissingFingerprintOnEitherSideIsNeverContentButStillListed() throws IOException {
        Manifests primary =
                new Manifests().repo(GIT, null).repo(LINUX, Manifests.fp('b')).repo(TOP, null);
        Manifests node = new Manifests()
                .repo(GIT, Manifests.fp('a'))
                .raw(LINUX, "{\"head\": \"ref: refs/heads/master\"}")
                .repo(TOP, null);
        assertThat(compare(primary, node)).isEmpty();

        Manifests nodeLacking = new Manifests().repo(GIT, null).repo(TOP, null);
        assertThat(compare(primary, nodeLacking)).isEqualTo(Map.of(LINUX, Set.of(Kind.MISSING)));
    }

    @Test
    void namesAndIdsAreTheAgentsStableIdsOfTheMappedNames() throws IOException {
        long[] seen = new long[2];
        String[] slug = new String[1];
        String[] key = new String[1];
        ManifestListing.read(
                reader,
                new ByteArrayInputStream(
                        new Manifests().repo(GIT, Manifests.fp('a')).bytes()),
                "m.js",
                new io.farmvet.listing.ListingHandler() {
                    @Override
                    public void repository(io.farmvet.listing.ListingEntry e) {
                        seen[0] = e.projectId();
                        seen[1] = e.repositoryId();
                        slug[0] = e.slug();
                        assertThat(e.content().toHex()).isEqualTo(Manifests.fp('a'));
                    }

                    @Override
                    public void project(long projectId, boolean isPublic, String projectKey) {
                        key[0] = projectKey;
                    }
                });
        assertThat(key[0]).isEqualTo("pub%2Fscm%2Fgit");
        assertThat(slug[0]).isEqualTo("git");
        assertThat(seen[0]).isEqualTo(StableIds.projectId("pub%2Fscm%2Fgit"));
        assertThat(seen[1]).isEqualTo(StableIds.repositoryId("pub%2Fscm%2Fgit", "git"));
    }

    @Test
    void pathsMapToNamesAndBack() {
        for (String path : List.of(GIT, LINUX, TOP, "/odd%2Fname/x%25y.git", "/ünï/cødé.git")) {
            assertThat(ManifestPaths.path(ManifestPaths.projectKey(path), ManifestPaths.slug(path)))
                    .isEqualTo(path);
        }
        assertThat(ManifestPaths.projectKey(TOP)).isEqualTo(".");
        assertThat(ManifestPaths.projectKey("/a%2Fb/c.git")).isNotEqualTo(ManifestPaths.projectKey("/a/b/c.git"));
    }

    @Test
    void twoKeysOfOneNameAreRefusedNotJudged() {
        Manifests both = new Manifests().repo("/pub/a.git", Manifests.fp('a')).repo("/pub/a", Manifests.fp('b'));
        ManifestFormatException e = catchThrowableOfType(
                () -> ManifestListing.read(reader, new ByteArrayInputStream(both.bytes()), "m.js", new PrimaryTable()),
                ManifestFormatException.class);
        assertThat(e.getMessage())
                .startsWith("m.js: unreadable grokmirror manifest: ")
                .contains("/pub/a");
    }

    @Test
    void writtenAsARepoHashesListingItReadsBackToTheSameVerdicts() throws IOException {
        ByteArrayOutputStream primary = new ByteArrayOutputStream();
        ManifestListing.writeListing(reader, new ByteArrayInputStream(farm().bytes()), "p.js", primary);
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        Manifests drifted = new Manifests().repo(GIT, Manifests.fp('d')).repo(TOP, null);
        ManifestSummary summary =
                ManifestListing.writeListing(reader, new ByteArrayInputStream(drifted.gzipped()), "n.js.gz", node);
        assertThat(summary.repositories()).isEqualTo(2);

        ListingReader listings = new ListingReader(ListingLimits.DEFAULTS);
        PrimaryTable table = new PrimaryTable();
        listings.read(new ByteArrayInputStream(primary.toByteArray()), "p", ListingKind.FULL, table);
        NodeComparison comparison = new NodeComparison(table);
        listings.read(new ByteArrayInputStream(node.toByteArray()), "n", ListingKind.FULL, comparison);
        assertThat(byPath(FarmComparison.verdicts(
                        table, comparison, FarmComparison.scope(Scope.ALL, List.of(comparison)))))
                .isEqualTo(Map.of(GIT, Set.of(Kind.CONTENT), LINUX, Set.of(Kind.MISSING)));
    }
}

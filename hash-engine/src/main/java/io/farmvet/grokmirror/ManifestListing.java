package io.farmvet.grokmirror;

import io.farmvet.git.StableIds;
import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.HashValue;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A grokmirror manifest as a repo-hashes listing, so that the vet's comparison judges two manifests as it judges two
 * listings: a {@link ManifestHandler} that hands each repository on to a {@link ListingHandler} (a
 * {@code PrimaryTable}, a {@code NodeComparison}) as a {@link ListingEntry}.
 *
 * <ul>
 *   <li>Names and ids: {@link ManifestPaths} makes the project key and slug; ids are
 *       {@link StableIds#projectId}/{@link StableIds#repositoryId} of them, as the agent's, so a repository has one
 *       id in every manifest. Each entry also reports its project (not public, with its key) after it.
 *   <li>Content hash: the fingerprint itself (40 hex digits), so equal fingerprints are equal hashes and a different
 *       one is {@code content}. A manifest's hashes are grokmirror's, not the agent's SHA-256 of heads and tags:
 *       compare manifests with manifests only.
 *   <li>An entry without a fingerprint gets the all-zero "not computed yet" content hash, which the comparison
 *       counts as up to date against anything: farmvet cannot tell from such an entry whether the refs agree, so it
 *       says neither (the summary counts them: {@link ManifestSummary#withoutFingerprint()}). It is still listed, so
 *       a key on one side only is still {@code missing} or {@code extra}.
 *   <li>Metadata hash: SHA-256 of {@code "farmvet-grokmirror-head 1\n"} and the {@code head} text (empty when
 *       absent), so a different default branch is {@code metadata}.
 * </ul>
 *
 * <p>Not thread-safe: one per read.
 */
public final class ManifestListing implements ManifestHandler {
    /** The placeholder the comparison reads as "not computed yet": the length of a fingerprint, all zeros. */
    static final String NO_FINGERPRINT = "0".repeat(ManifestReader.FINGERPRINT_LENGTH);

    static final String HEAD_PREFIX = "farmvet-grokmirror-head 1\n";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ListingHandler target;
    private final ListingEntry entry = new ListingEntry();
    private final MessageDigest sha256;

    public ManifestListing(ListingHandler target) {
        this.target = target;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Reads the manifest in {@code in} into {@code target} as a listing; {@code target.end()} is called once it is
     * read whole. The one call for a vet or a test to consume a manifest as it consumes a repo-hashes listing.
     */
    public static ManifestSummary read(ManifestReader reader, InputStream in, String source, ListingHandler target)
            throws IOException {
        return reader.read(in, source, new ManifestListing(target));
    }

    /**
     * Writes the manifest in {@code in} as a full repo-hashes listing to {@code out} (not closed), one project object
     * per repository in the manifest's order, for {@code farmvet diff} and for tools that read listings.
     */
    public static ManifestSummary writeListing(ManifestReader reader, InputStream in, String source, OutputStream out)
            throws IOException {
        ListingWriter writer = new ListingWriter(out, ListingKind.FULL);
        ManifestSummary summary;
        try {
            summary = read(reader, in, source, new WritingHandler(writer));
        } catch (UncheckedIOException e) {
            // The writer's failure (a full disk, a closed pipe), not the manifest's.
            throw e.getCause();
        }
        writer.close();
        return summary;
    }

    @Override
    public void repository(ManifestEntry manifest) throws EntryRejectedException {
        String path = manifest.path();
        String projectKey = ManifestPaths.projectKey(path);
        String slug = ManifestPaths.slug(path);
        long projectId;
        long repositoryId;
        try {
            projectId = StableIds.projectId(projectKey);
            repositoryId = StableIds.repositoryId(projectKey, slug);
        } catch (IllegalArgumentException e) {
            // ManifestPaths.problem refuses every such path first; kept so a gap there is an error, not a crash.
            throw new EntryRejectedException(ManifestPaths.quote(path) + ": " + e.getMessage());
        }
        String fingerprint = manifest.fingerprint();
        entry.set(
                projectId, repositoryId, fingerprint != null ? fingerprint : NO_FINGERPRINT, headHash(manifest.head()));
        entry.slug(slug);
        target.repository(entry);
        target.project(projectId, false, projectKey);
    }

    @Override
    public void end() throws EntryRejectedException {
        target.end();
    }

    private String headHash(String head) {
        sha256.reset();
        sha256.update((HEAD_PREFIX + (head == null ? "" : head)).getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha256.digest();
        char[] hex = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            hex[2 * i] = HEX[(digest[i] >>> 4) & 0xf];
            hex[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return new String(hex);
    }

    /** Writes each entry as its own project object, since a manifest's keys come in no project order. */
    private static final class WritingHandler implements ListingHandler {
        private final ListingWriter writer;
        private long repositoryId;
        private String slug;
        private final HashValue content = new HashValue();
        private final HashValue metadata = new HashValue();

        WritingHandler(ListingWriter writer) {
            this.writer = writer;
        }

        @Override
        public void repository(ListingEntry e) {
            repositoryId = e.repositoryId();
            slug = e.slug();
            content.set(e.content());
            metadata.set(e.metadata());
        }

        @Override
        public void project(long projectId, boolean isPublic, String key) throws EntryRejectedException {
            try {
                writer.startProject(projectId, isPublic, key);
                writer.repository(repositoryId, slug, content, metadata);
                writer.endProject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

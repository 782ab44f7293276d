package io.farmvet.grokmirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A manifest of a million repositories, generated as it is read (never held whole by the test either), through
 * {@link ManifestListing}: every entry arrives, in order, with its fingerprint; the reader keeps one entry at a time.
 * Counts and checksums, no timing.
 */
class LargeManifestTest {
    private static final int REPOSITORIES = 1_000_000;

    @Test
    void streamsAMillionRepositories() throws Exception {
        long[] checksum = {0};
        long[] count = {0};
        ManifestSummary summary = ManifestListing.read(
                new ManifestReader(), new Generated(), "generated manifest.js", new ListingHandler() {
                    @Override
                    public void repository(ListingEntry entry) {
                        checksum[0] = checksum[0] * 1_000_003
                                + entry.repositoryId()
                                + entry.content().hexLength();
                        count[0]++;
                    }
                });

        assertThat(summary.repositories()).isEqualTo(REPOSITORIES);
        assertThat(count[0]).isEqualTo(REPOSITORIES);
        assertThat(summary.withoutFingerprint()).isEqualTo(REPOSITORIES / 10);
        assertThat(summary.bytes()).isGreaterThan(200L * REPOSITORIES);
        assertThat(checksum[0]).isEqualTo(expectedChecksum());
    }

    private static long expectedChecksum() {
        long checksum = 0;
        for (int i = 0; i < REPOSITORIES; i++) {
            String path = path(i);
            checksum = checksum * 1_000_003
                    + io.farmvet.git.StableIds.repositoryId(ManifestPaths.projectKey(path), ManifestPaths.slug(path))
                    + 40;
        }
        return checksum;
    }

    private static String path(int i) {
        return "/pub/scm/project" + (i % 1000) + "/repo" + i + ".git";
    }

    /** The manifest text, made one repository at a time as the reader asks for bytes. */
    private static final class Generated extends InputStream {
        private byte[] chunk = "{".getBytes(StandardCharsets.US_ASCII);
        private int at;
        private int next;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == chunk.length && !refill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
        }

        private boolean refill() {
            if (next > REPOSITORIES) {
                return false;
            }
            String text;
            if (next == REPOSITORIES) {
                text = "}";
            } else {
                String fingerprint = next % 10 == 0 ? "null" : '"' + String.format("%040x", next) + '"';
                text = (next == 0 ? "" : ", ") + '"' + path(next) + "\": {\"modified\": 1700000000, \"fingerprint\": "
                        + fingerprint + ", \"head\": \"ref: refs/heads/master\", \"description\": \"repository "
                        + next + "\", \"reference\": null}";
            }
            next++;
            chunk = text.getBytes(StandardCharsets.US_ASCII);
            at = 0;
            return true;
        }
    }
}

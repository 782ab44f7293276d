package io.farmvet.grokmirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestReaderTest {
    private final ManifestReader reader = new ManifestReader();

    private record Seen(String path, String fingerprint, String head, long modified) {}

    private List<Seen> read(byte[] bytes, boolean oneByte) throws IOException {
        List<Seen> seen = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(bytes);
        reader.read(
                oneByte ? new OneByte(in) : in,
                "manifest.js",
                e -> seen.add(new Seen(e.path(), e.fingerprint(), e.head(), e.modified())));
        return seen;
    }

    private ManifestFormatException failure(String source, byte[] bytes) {
        return catchThrowableOfType(
                () -> reader.read(new ByteArrayInputStream(bytes), source, e -> {}), ManifestFormatException.class);
    }

    private ManifestFormatException failure(String json) {
        return failure("manifest.js", json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsGrokManifestsShapePlainAndGzippedWholeOrByteAtATime(boolean oneByte) throws IOException {
        Manifests manifest = new Manifests()
                .repo("/pub/scm/git/git.git", Manifests.fp('a'))
                .repo("/pub/scm/linux/kernel/git/torvalds/linux.git", "ABCDEF" + "0".repeat(34), "ref: refs/heads/main")
                .raw(
                        "/pub/scm/old.git",
                        "{\"modified\": 1600000000.5, \"head\": null, \"reference\": \"/pub/x.git\","
                                + " \"symlinks\": [\"/pub/old-link.git\"], \"future\": {\"nested\": [1, 2, {}]}}");
        List<Seen> expected = List.of(
                new Seen("/pub/scm/git/git.git", Manifests.fp('a'), "ref: refs/heads/master", 1700000000L),
                new Seen(
                        "/pub/scm/linux/kernel/git/torvalds/linux.git",
                        "abcdef" + "0".repeat(34),
                        "ref: refs/heads/main",
                        1700000000L),
                new Seen("/pub/scm/old.git", null, null, 1600000000L));

        assertThat(read(manifest.bytes(), oneByte)).isEqualTo(expected);
        assertThat(read(manifest.gzipped(), oneByte)).isEqualTo(expected);
    }

    @Test
    void summaryCountsKeysWithoutFingerprintsAndSaysGzip() throws IOException {
        byte[] gz = new Manifests()
                .repo("/a.git", Manifests.fp('1'))
                .repo("/b.git", null)
                .gzipped();
        ManifestSummary summary = reader.read(new ByteArrayInputStream(gz), "m.js.gz", e -> {});
        assertThat(summary.repositories()).isEqualTo(2);
        assertThat(summary.withoutFingerprint()).isEqualTo(1);
        assertThat(summary.gzipped()).isTrue();
    }

    @Test
    void keysOfGrokmirrorOneWithoutLeadingSlashAreRooted() throws IOException {
        assertThat(read(new Manifests().repo("pub/a.git", Manifests.fp('2')).bytes(), false))
                .extracting(Seen::path)
                .containsExactly("/pub/a.git");
    }

    @Test
    void anEmptyManifestHasNoRepositories() throws IOException {
        assertThat(read("{}".getBytes(StandardCharsets.UTF_8), false)).isEmpty();
    }

    @Test
    void notJson() {
        ManifestFormatException e = failure("<html>404</html>");
        assertThat(e.getMessage()).startsWith("manifest.js: unreadable grokmirror manifest: not JSON: ");
        assertThat(e.byteOffset()).isZero();
    }

    @Test
    void aRootThatIsNotAnObject() {
        assertThat(failure("[1, 2]").problem())
                .isEqualTo("not a grokmirror manifest: a JSON object keyed by repository path was expected, found"
                        + " an array");
        assertThat(failure("").problem()).startsWith("empty input");
    }

    @Test
    void namedGzButNotGzip() {
        ManifestFormatException e =
                failure("https://mirror/manifest.js.gz", "not json".getBytes(StandardCharsets.UTF_8));
        assertThat(e.getMessage())
                .startsWith("https://mirror/manifest.js.gz: unreadable grokmirror manifest: not JSON")
                .contains("the name ends in .gz, but the content is not gzip: it lacks the magic bytes 1f 8b");
    }

    @Test
    void aGzipHeaderThatIsCorrupt() {
        byte[] bad = {0x1f, (byte) 0x8b, 0x07, 0, 0, 0, 0, 0, 0, 0};
        ManifestFormatException e = failure("m.js.gz", bad);
        assertThat(e.problem()).startsWith("not a gzip stream: ");
    }

    @Test
    void aTruncatedGzipStreamSaysSoWithTheOffsetReached() {
        byte[] gz = new Manifests()
                .repo("/a.git", Manifests.fp('1'))
                .repo("/b.git", Manifests.fp('2'))
                .gzipped();
        ManifestFormatException e = failure("m.js.gz", Arrays.copyOf(gz, gz.length - 12));
        assertThat(e.problem()).startsWith("the gzip stream ends early");
        assertThat(e.getMessage()).contains("of the decompressed text");
    }

    @Test
    void corruptGzipData() {
        byte[] gz = new Manifests().repo("/a.git", Manifests.fp('1')).gzipped();
        for (int i = 12; i < gz.length - 8; i++) {
            gz[i] = (byte) 0xff;
        }
        assertThat(failure("m.js.gz", gz).problem()).containsAnyOf("corrupt gzip data", "ends early", "not JSON");
    }

    @Test
    void aTruncatedPlainManifestEndsEarly() {
        String json = new Manifests().repo("/a.git", Manifests.fp('1')).json();
        ManifestFormatException e = failure(json.substring(0, json.length() - 20));
        assertThat(e.problem()).startsWith("the manifest ends early");
        assertThat(e.nearKey()).isEqualTo("/a.git");
    }

    @Test
    void trailingData() {
        assertThat(failure("{} {}").problem()).startsWith("trailing data after the manifest's object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "//a.git", "/pub//a.git", "/pub/", "/pub/../etc.git", "/./a.git", "/pub/.git"})
    void keysThatAreNotRepositoryPaths(String key) {
        ManifestFormatException e = failure("{\"" + key + "\": {}}");
        assertThat(e.problem()).containsAnyOf("is not a repository path", "names no repository");
        assertThat(e.byteOffset()).isEqualTo(1);
    }

    @Test
    void controlCharactersInKeysAreNamedEscaped() {
        ManifestFormatException e = failure("{\"/pub/a\\n.git\": {}}");
        assertThat(e.problem()).isEqualTo("key \"/pub/a\\u000a.git\" holds a control character (index 6)");
        assertThat(e.getMessage()).doesNotContain("\n");
        // Jackson refuses a broken surrogate pair itself, as malformed JSON.
        assertThat(failure("{\"/a\\ud800.git\": {}}").problem()).contains("surrogate");
    }

    @Test
    void aKeyOverTheLengthLimit() {
        String key = "/" + "k".repeat(ManifestReader.MAX_KEY_LENGTH + 10) + ".git";
        assertThat(failure("{\"" + key + "\": {}}").problem()).startsWith("over a limit");
    }

    @Test
    void fieldsOfTheWrongType() {
        assertThat(failure("{\"/a.git\": \"x\"}").problem())
                .isEqualTo("\"/a.git\": an object was expected, found a string \"x\"");
        assertThat(failure("{\"/a.git\": {\"fingerprint\": 12}}").problem())
                .isEqualTo("\"/a.git\": \"fingerprint\" must be a string or null, found the number 12");
        assertThat(failure("{\"/a.git\": {\"head\": []}}").problem())
                .isEqualTo("\"/a.git\": \"head\" must be a string or null, found an array");
        assertThat(failure("{\"/a.git\": {\"modified\": \"yesterday\"}}").problem())
                .isEqualTo("\"/a.git\": \"modified\" must be a number of seconds, found a string \"yesterday\"");
        assertThat(failure("{\"/a.git\": {\"symlinks\": [3]}}").problem())
                .isEqualTo("\"/a.git\": \"symlinks\" must be an array of paths, found the number 3");
        assertThat(failure("{\"/a.git\": {\"description\": true}}").problem())
                .isEqualTo("\"/a.git\": \"description\" must be a string or null, found true");
    }

    @Test
    void aFingerprintThatIsNotOne() {
        ManifestFormatException e = failure("{\"/a.git\": {\"fingerprint\": \"xyz\"}}");
        assertThat(e.problem())
                .isEqualTo("\"/a.git\": \"fingerprint\" \"xyz\" is not 40 hex digits (grokmirror's SHA-1 of git"
                        + " show-ref)");
        assertThat(e.nearKey()).isEqualTo("/a.git");
        assertThat(e.byteOffset()).isEqualTo(27);
    }

    @Test
    void aManifestOverTheSizeLimitIsRefusedAfterAtMostOneBuffer() {
        ManifestReader small = new ManifestReader(1000);
        Manifests big = new Manifests();
        for (int i = 0; i < 500; i++) {
            big.repo("/r" + i + ".git", Manifests.fp('3'));
        }
        ManifestFormatException e = catchThrowableOfType(
                () -> small.read(new ByteArrayInputStream(big.gzipped()), "big.js.gz", x -> {}),
                ManifestFormatException.class);
        assertThat(e.problem()).startsWith("over a limit");
    }

    @Test
    void aHandlerThatRefusesAnEntryBecomesAnErrorAtItsPlace() {
        ManifestFormatException e = catchThrowableOfType(
                () -> reader.read(
                        new ByteArrayInputStream(new Manifests()
                                .repo("/a.git", Manifests.fp('4'))
                                .bytes()),
                        "m.js",
                        x -> {
                            throw new io.farmvet.listing.EntryRejectedException("no thanks");
                        }),
                ManifestFormatException.class);
        assertThat(e.getMessage()).startsWith("m.js: unreadable grokmirror manifest: no thanks (at byte ");
        assertThat(e.nearKey()).isEqualTo("/a.git");
    }

    @Test
    void aBrokenPlainStreamIsTheStreamsErrorNotTheManifests() {
        InputStream broken = new InputStream() {
            private final byte[] start = "{\"/a.git\": {".getBytes(StandardCharsets.US_ASCII);
            private int sent;

            @Override
            public int read() throws IOException {
                // The start reaches the parser (past the gzip sniffing), then the connection drops.
                if (sent < start.length) {
                    return start[sent++];
                }
                throw new java.io.EOFException("connection closed");
            }
        };
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(broken, "m.js", x -> {}));
        assertThat(e).isExactlyInstanceOf(java.io.EOFException.class).hasMessage("connection closed");
    }

    /** At most one byte per read, like a slow HTTP body. */
    private static final class OneByte extends FilterInputStream {
        OneByte(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : super.read(b, off, 1);
        }

        @Override
        public int available() {
            return 0;
        }
    }
}

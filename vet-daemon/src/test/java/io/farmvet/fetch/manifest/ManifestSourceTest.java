package io.farmvet.fetch.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.compare.FarmComparison;
import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.compare.NodeComparison;
import io.farmvet.compare.PrimaryTable;
import io.farmvet.compare.Scope;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.grokmirror.ManifestFormatException;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.grokmirror.ManifestSummary;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests read from files and from a loopback server, then judged by the vet's comparison. */
class ManifestSourceTest {
    private static final String PRIMARY = manifest("a", "b");
    private static final String DRIFTED = manifest("a", "c");

    @TempDir
    Path dir;

    private final ManifestReader reader = new ManifestReader();

    /** Two repositories in grok-manifest's shape, with the given fingerprint digits. */
    private static String manifest(String git, String linux) {
        return "{\"/pub/scm/git/git.git\": {\"modified\": 1700000000, \"fingerprint\": \"" + git.repeat(40)
                + "\", \"head\": \"ref: refs/heads/master\", \"description\": \"git\", \"reference\": null},"
                + " \"/pub/scm/linux/kernel/git/torvalds/linux.git\": {\"modified\": 1700000001, \"fingerprint\": \""
                + linux.repeat(40) + "\", \"head\": \"ref: refs/heads/master\", \"owner\": \"Linus\","
                + " \"reference\": null}}";
    }

    private List<Inconsistency> compare(ManifestSource primary, ManifestSource node) throws IOException {
        PrimaryTable table = new PrimaryTable();
        primary.read(reader, table);
        NodeComparison comparison = new NodeComparison(table);
        node.read(reader, comparison);
        return FarmComparison.verdicts(table, comparison, FarmComparison.scope(Scope.ALL, List.of(comparison)));
    }

    @Test
    void filesPlainAndGzippedTheNameNotConsulted() throws IOException {
        Path plain = Files.writeString(dir.resolve("manifest.js"), PRIMARY);
        Path gz = Files.write(dir.resolve("manifest.js.gz"), FakeServer.gzip(DRIFTED));
        Path gzUnderAPlainName = Files.write(dir.resolve("copy.js"), FakeServer.gzip(PRIMARY));

        assertThat(compare(ManifestSource.ofFile(plain), ManifestSource.ofFile(gzUnderAPlainName)))
                .isEmpty();
        List<Inconsistency> found = compare(ManifestSource.ofFile(plain), ManifestSource.ofFile(gz));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).kinds()).isEqualTo(Set.of(Kind.CONTENT));
    }

    @Test
    void overLoopbackHttpAGzipFileAndAGzipEncodingBothRead() throws Exception {
        byte[] gz = FakeServer.gzip(DRIFTED);
        try (FakeServer primary = FakeServer.start(FakeServer.json(PRIMARY));
                FakeServer asFile = FakeServer.start(gzipFile(gz));
                FakeServer asEncoding = FakeServer.start(FakeServer.encoded("gzip", gz));
                ListingFetcher fetcher = fetcher(primary)) {
            ManifestSource p = ManifestSource.ofServer(fetcher, server("primary", primary), "manifest.js", 1 << 20);
            ManifestSource f = ManifestSource.ofServer(fetcher, server("mirror-1", asFile), "manifest.js.gz", 1 << 20);
            ManifestSource e =
                    ManifestSource.ofServer(fetcher, server("mirror-2", asEncoding), "manifest.js.gz", 1 << 20);

            assertThat(compare(p, f)).extracting(Inconsistency::kinds).containsExactly(Set.of(Kind.CONTENT));
            assertThat(compare(p, e)).extracting(Inconsistency::kinds).containsExactly(Set.of(Kind.CONTENT));
            ManifestSummary summary = f.read(reader, new PrimaryTable());
            assertThat(summary.gzipped()).isTrue();
            assertThat(summary.repositories()).isEqualTo(2);
            assertThat(asFile.requests().get(0).path()).isEqualTo("/manifest.js.gz");
        }
    }

    @Test
    void anHtmlErrorPageServedAs200NamesTheServerAndUrl() throws Exception {
        try (FakeServer server = FakeServer.start(FakeServer.json("<html>moved</html>"));
                ListingFetcher fetcher = fetcher(server)) {
            ManifestSource source =
                    ManifestSource.ofServer(fetcher, server("mirror-1", server), "manifest.js.gz", 1000);
            ManifestFormatException e =
                    catchThrowableOfType(() -> source.read(reader, new PrimaryTable()), ManifestFormatException.class);
            assertThat(e.getMessage())
                    .startsWith(
                            "mirror-1 " + server.url() + "/manifest.js.gz: unreadable grokmirror manifest: not JSON")
                    .contains("the name ends in .gz, but the content is not gzip");
        }
    }

    @Test
    void notFoundAndTooLargeAreFetchErrorsNamingTheServer() throws Exception {
        try (FakeServer missing = FakeServer.start(FakeServer.status(404, "Not Found", "no"));
                FakeServer big = FakeServer.start(FakeServer.json(PRIMARY));
                ListingFetcher fetcher = fetcher(missing)) {
            FetchException notFound = catchThrowableOfType(
                    () -> ManifestSource.ofServer(fetcher, server("mirror-1", missing), "manifest.js", 1000)
                            .read(reader, new PrimaryTable()),
                    FetchException.class);
            assertThat(notFound.getMessage())
                    .isEqualTo("mirror-1: GET " + missing.url() + "/manifest.js answered HTTP 404");
            FetchException tooLarge = catchThrowableOfType(
                    () -> ManifestSource.ofServer(fetcher, server("mirror-2", big), "manifest.js", 100)
                            .read(reader, new PrimaryTable()),
                    FetchException.class);
            assertThat(tooLarge.getMessage())
                    .startsWith("mirror-2: GET " + big.url() + "/manifest.js answered more than");
        }
    }

    @Test
    void aTruncatedGzipFileSaysWhere() throws IOException {
        byte[] gz = FakeServer.gzip(PRIMARY);
        Path cut = Files.write(dir.resolve("manifest.js.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        ManifestFormatException e = catchThrowableOfType(
                () -> ManifestSource.ofFile(cut).read(reader, new PrimaryTable()), ManifestFormatException.class);
        assertThat(e.getMessage()).startsWith(cut + ": unreadable grokmirror manifest: the gzip stream ends early");
    }

    /** 200 with the gzip bytes as a file is served: {@code application/gzip}, no Content-Encoding. */
    private static FakeServer.Responder gzipFile(byte[] body) {
        return (request, out) -> {
            OutputStream o = out;
            o.write(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/gzip\r\nContent-Length: "
                            + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            o.write(body);
        };
    }

    private static FarmvetConfig.Server server(String name, FakeServer server) {
        // Through the project's own config builder, so the server is what a config would make.
        return new TestConfigs()
                .primary(server.url())
                .node(name, server.url())
                .build()
                .nodes()
                .get(0);
    }

    private static ListingFetcher fetcher(FakeServer any) throws Exception {
        FarmvetConfig config = new TestConfigs().primary(any.url()).build();
        return new ListingFetcher(config.http(), new ListingReader(ListingLimits.DEFAULTS), 4);
    }
}

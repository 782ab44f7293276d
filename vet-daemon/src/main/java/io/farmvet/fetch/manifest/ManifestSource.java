package io.farmvet.fetch.manifest;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.JsonGet;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.grokmirror.ManifestListing;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.grokmirror.ManifestSummary;
import io.farmvet.listing.ListingHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a grokmirror manifest comes from, a file or a server, read into a {@link ListingHandler} as a repo-hashes
 * listing ({@link ManifestListing}): the one door for a vet to judge manifests with its own comparison.
 *
 * <p>A file is streamed. Over HTTP the GET goes through the project's one request set-up
 * ({@link ListingFetcher#jsonGet}: the server's credentials, TLS, timeouts, {@code Content-Encoding: gzip}), which
 * reads a body whole up to a bound; a {@code manifest.js.gz} served as a file (no {@code Content-Encoding}) is held
 * compressed, a few MB for kernel.org's, and decompressed and parsed as a stream. Either way gzip is told by its
 * magic bytes, not by the name.
 *
 * <p>Immutable and thread-safe; each {@link #read} opens the source anew.
 */
public final class ManifestSource {
    /**
     * Largest body accepted over HTTP, as sent (compressed where it is gzip). kernel.org's {@code manifest.js.gz}
     * is about 1 MB for some 4,000 repositories; 256 MiB leaves room for a million repositories even uncompressed.
     */
    public static final int DEFAULT_MAX_HTTP_BYTES = 256 << 20;

    private final String name;
    private final Path file;
    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server server;
    private final String manifestUrl;
    private final int maxHttpBytes;

    private ManifestSource(
            String name,
            Path file,
            ListingFetcher fetcher,
            FarmvetConfig.Server server,
            String manifestUrl,
            int maxHttpBytes) {
        this.name = name;
        this.file = file;
        this.fetcher = fetcher;
        this.server = server;
        this.manifestUrl = manifestUrl;
        this.maxHttpBytes = maxHttpBytes;
    }

    /** A manifest file, plain or gzipped. */
    public static ManifestSource ofFile(Path file) {
        return new ManifestSource(file.toString(), file, null, null, null, 0);
    }

    /**
     * {@code GET {server.url}/{manifestPath}} with {@code server}'s credentials, through {@code fetcher}.
     *
     * @param manifestPath below the server's URL, no leading slash: {@code manifest.js.gz}
     */
    public static ManifestSource ofServer(
            ListingFetcher fetcher, FarmvetConfig.Server server, String manifestPath, int maxHttpBytes) {
        return ofUrl(fetcher, server, server.url() + "/" + manifestPath, maxHttpBytes);
    }

    /** {@code GET url} with {@code server}'s credentials, through {@code fetcher}. */
    public static ManifestSource ofUrl(
            ListingFetcher fetcher, FarmvetConfig.Server server, String url, int maxHttpBytes) {
        if (maxHttpBytes < 1) {
            throw new IllegalArgumentException("maxHttpBytes must be positive, got " + maxHttpBytes);
        }
        String name = server.name() + " " + fetcher.masked(server, url);
        return new ManifestSource(name, null, fetcher, server, url, maxHttpBytes);
    }

    /**
     * The manifest of {@code location}, as the config gives it ({@code manifest-url}, {@code
     * repositories.manifest}): an http(s) URL fetched with {@code server}'s credentials, else an absolute file path.
     */
    public static ManifestSource of(ListingFetcher fetcher, FarmvetConfig.Server server, String location) {
        return location.startsWith("http://") || location.startsWith("https://")
                ? ofUrl(fetcher, server, location, DEFAULT_MAX_HTTP_BYTES)
                : ofFile(Path.of(location));
    }

    /** The source as messages name it: the file, or the server's name and the manifest's URL. */
    public String name() {
        return name;
    }

    /**
     * Reads the manifest into {@code target} as a repo-hashes listing; {@code target.end()} is called once it is
     * read whole. Callers must not act on a {@code target} whose read threw.
     *
     * @throws io.farmvet.grokmirror.ManifestFormatException the manifest is not one (names the source and the spot)
     * @throws FetchException the server did not answer 200 with a body within {@code maxHttpBytes}
     * @throws IOException the file cannot be read
     */
    public ManifestSummary read(ManifestReader reader, ListingHandler target) throws IOException {
        try (InputStream in = open(request())) {
            return parse(reader, in, target);
        }
    }

    /** Reads the manifest in {@code in}, opened with {@link #open}, into {@code target}, as {@link #read} does. */
    public ManifestSummary parse(ManifestReader reader, InputStream in, ListingHandler target) throws IOException {
        return ManifestListing.read(reader, in, name, target);
    }

    /** The GET of a manifest served over HTTP, to cancel from another thread; null for a file. */
    public JsonGet request() {
        return file == null ? fetcher.jsonGet(server, java.net.URI.create(manifestUrl)) : null;
    }

    /**
     * The manifest's bytes: the file opened, or the answer of {@code request} read whole (held as sent).
     *
     * @throws java.nio.file.NoSuchFileException the file is not there
     */
    public InputStream open(JsonGet request) throws IOException {
        if (file != null) {
            return Files.newInputStream(file);
        }
        return new ByteArrayInputStream(request.body(maxHttpBytes));
    }
}

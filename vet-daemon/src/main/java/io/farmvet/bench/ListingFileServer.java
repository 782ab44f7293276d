package io.farmvet.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.farmvet.concurrent.NamedThreads;
import io.farmvet.listing.ListingKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves listing files from disk on loopback, one per server name: {@code GET /<name>/rest/mirroring/latest/
 * repo-hashes} streams {@code files.get(name)} with its length. Memory per request is one {@value
 * #COPY_BUFFER_BYTES}-byte buffer, so the server's footprint does not grow with the listings (a 1M-repository
 * listing is about 150 MB). One thread per concurrent request, as a vet opens every server's request at once.
 */
final class ListingFileServer implements AutoCloseable {
    /** 64 KiB: large enough that the copy is a few syscalls per MB, small enough to be noise in a heap. */
    private static final int COPY_BUFFER_BYTES = 64 << 10;

    private final HttpServer server;
    private final ExecutorService pool;

    ListingFileServer(Map<String, Path> files) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        for (Map.Entry<String, Path> file : files.entrySet()) {
            Path path = file.getValue();
            server.createContext(
                    "/" + file.getKey() + "/" + ListingKind.FULL.path(), exchange -> serve(exchange, path));
        }
        // Two spare threads for the REST answers beside the listings, and room for a per-repository look's strands.
        pool = Executors.newFixedThreadPool(files.size() + 8, NamedThreads.of("bench-listing-server"));
        server.setExecutor(pool);
        server.start();
    }

    /** Serves {@code path} (below {@code /<name>}, as {@link #url} gives it) with {@code handler} as well. */
    void handle(String name, String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext("/" + name + "/" + path, handler);
    }

    /** The base URL of server {@code name}, as a farmvet config names it. */
    URI url(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name);
    }

    private static void serve(HttpExchange exchange, Path path) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, Files.size(path));
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            try (InputStream in = Files.newInputStream(path);
                    OutputStream out = exchange.getResponseBody()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // The client went away (a cancelled or failed vet); the exchange is closed either way.
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

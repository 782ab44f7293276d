package io.farmvet.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * The ceiling baseline: a bare Jackson {@code nextToken()} loop over every listing of a farm, with nothing looked
 * at (Jackson does not even decode a string it is not asked for). It keeps the order a vet must keep, the
 * primary first and then every node at once (a node can only be judged against a complete primary), over the same
 * HttpClient classic stack as {@code ListingFetcher} or straight from the files. Not thread-safe.
 */
final class TokenScan implements AutoCloseable {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Where one listing's bytes come from. */
    interface Source {
        /** Scans the listing, returns the number of tokens. */
        long scan(CloseableHttpClient client) throws IOException;

        static Source http(URI url) {
            return client -> {
                try (ClassicHttpResponse response = client.executeOpen(null, new HttpGet(url), null);
                        InputStream in = response.getEntity().getContent()) {
                    if (response.getCode() != 200) {
                        throw new IOException(url + " answered " + response.getCode());
                    }
                    return tokens(in);
                }
            };
        }

        static Source file(Path file) {
            return client -> {
                try (InputStream in = Files.newInputStream(file)) {
                    return tokens(in);
                }
            };
        }
    }

    private final CloseableHttpClient client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(64)
                    .setMaxConnPerRoute(64)
                    .build())
            .disableContentCompression()
            .build();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-token-scan");
        t.setDaemon(true);
        return t;
    });

    /** Scans {@code sources.get(0)} (the primary), then all the others at once; returns the wall time in ns. */
    long farm(List<Source> sources) throws IOException, InterruptedException {
        long start = System.nanoTime();
        sources.get(0).scan(client);
        List<Future<Long>> nodes = new ArrayList<>();
        for (Source node : sources.subList(1, sources.size())) {
            nodes.add(pool.submit(() -> node.scan(client)));
        }
        for (Future<Long> node : nodes) {
            try {
                node.get();
            } catch (ExecutionException e) {
                throw new UncheckedIOException(new IOException("token scan failed", e.getCause()));
            }
        }
        return System.nanoTime() - start;
    }

    private static long tokens(InputStream in) throws IOException {
        long count = 0;
        try (JsonParser parser = FACTORY.createParser(in)) {
            while (parser.nextToken() != null) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        client.close();
    }
}

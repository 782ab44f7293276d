package io.farmvet.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.farmvet.concurrent.NamedThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
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
 * at (Jackson does not even decode a string it is not asked for), over the same HttpClient classic stack as {@code
 * ListingFetcher}. Two orders: the primary first and then every node at once (a node can only be judged against a
 * complete primary), and everything at once (what a vet that reads nodes ahead approaches, and more: a scan needs
 * no table). Not thread-safe.
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
    }

    private final CloseableHttpClient client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(64)
                    .setMaxConnPerRoute(64)
                    .build())
            .disableContentCompression()
            .build();
    private final ExecutorService pool = Executors.newCachedThreadPool(NamedThreads.of("bench-token-scan"));

    /** Scans {@code sources.get(0)} (the primary), then all the others at once; returns the wall time in ns. */
    long farm(List<Source> sources) throws IOException, InterruptedException {
        long start = System.nanoTime();
        sources.get(0).scan(client);
        scanAll(sources.subList(1, sources.size()));
        return System.nanoTime() - start;
    }

    /** Scans every listing at once, the primary with the others; returns the wall time in ns. */
    long atOnce(List<Source> sources) throws InterruptedException {
        long start = System.nanoTime();
        scanAll(sources);
        return System.nanoTime() - start;
    }

    private void scanAll(List<Source> sources) throws InterruptedException {
        List<Future<Long>> scans = new ArrayList<>();
        for (Source source : sources) {
            scans.add(pool.submit(() -> source.scan(client)));
        }
        for (Future<Long> scan : scans) {
            try {
                scan.get();
            } catch (ExecutionException e) {
                throw new UncheckedIOException(new IOException("token scan failed", e.getCause()));
            }
        }
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

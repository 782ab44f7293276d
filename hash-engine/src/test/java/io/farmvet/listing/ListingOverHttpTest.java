package io.farmvet.listing;

import static io.farmvet.listing.ListingReaderTest.SEED;
import static io.farmvet.listing.ListingReaderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listings read from a real loopback HTTP server through Apache HttpClient, as the daemon reads them. */
class ListingOverHttpTest {
    private static final byte[] DOC = json(SEED);

    private HttpServer server;
    private CloseableHttpClient client;
    private final ListingReader reader = new ListingReader(ListingLimits.DEFAULTS);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/chunked", exchange -> send(exchange, 0, DOC.length));
        server.createContext("/length", exchange -> send(exchange, DOC.length, DOC.length));
        server.createContext("/length-cut", exchange -> send(exchange, DOC.length, DOC.length / 2));
        server.createContext("/chunked-cut", exchange -> send(exchange, 0, DOC.length / 2));
        server.createContext("/chunked-short", exchange -> {
            // A server that ends the chunked body cleanly, but in the middle of the document.
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(DOC, 0, DOC.length / 2);
            }
        });
        server.start();
        client = HttpClients.createDefault();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.stop(0);
    }

    /**
     * Sends {@code sent} bytes of the document in 3-byte flushed pieces; a length of 0 means chunked. When
     * {@code sent} falls short, the handler throws, which makes the JDK server drop the connection without
     * ending the body.
     */
    private static void send(HttpExchange exchange, long length, int sent) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, length);
        OutputStream body = exchange.getResponseBody();
        for (int i = 0; i < sent; i += 3) {
            body.write(DOC, i, Math.min(3, sent - i));
            body.flush();
        }
        if (sent < DOC.length) {
            throw new IOException("test server drops the connection mid-body");
        }
        body.close();
    }

    private ListingSummary get(String path, RecordingHandler handler) throws IOException {
        String uri = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        return client.execute(
                new HttpGet(uri),
                response -> reader.read(response.getEntity().getContent(), uri, ListingKind.FULL, handler));
    }

    @Test
    void readsAChunkedListingInTinyPieces() throws IOException {
        RecordingHandler handler = new RecordingHandler();
        ListingSummary summary = get("/chunked", handler);

        assertThat(summary).isEqualTo(new ListingSummary(1, 2, DOC.length));
        assertThat(handler.repositories).extracting(RecordingHandler.Repo::id).containsExactly(1L, 2L);
    }

    @Test
    void readsAListingWithContentLength() throws IOException {
        assertThat(get("/length", new RecordingHandler())).isEqualTo(new ListingSummary(1, 2, DOC.length));
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsAConnectionError() {
        Throwable thrown = catchThrowable(() -> get("/length-cut", new RecordingHandler()));

        assertThat(thrown)
                .isInstanceOf(ConnectionClosedException.class)
                .isNotInstanceOf(ListingFormatException.class)
                .hasMessageContaining("Premature end of Content-Length delimited message body");
    }

    @Test
    void aChunkedBodyCutWithoutItsLastChunkIsAConnectionError() {
        Throwable thrown = catchThrowable(() -> get("/chunked-cut", new RecordingHandler()));

        assertThat(thrown)
                .isInstanceOf(ConnectionClosedException.class)
                .isNotInstanceOf(ListingFormatException.class)
                .hasMessageContaining("Premature end of chunk coded message body");
    }

    @Test
    void aChunkedBodyEndedCleanlyMidDocumentIsAFormatError() {
        Throwable thrown = catchThrowable(() -> get("/chunked-short", new RecordingHandler()));

        assertThat(thrown).isInstanceOf(ListingFormatException.class);
        assertThat(((ListingFormatException) thrown).problem()).contains("Unexpected end-of-input");
        assertThat(((ListingFormatException) thrown).byteOffset()).isEqualTo(DOC.length / 2);
    }
}

package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.farmvet.config.FarmvetConfig;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.listing.ListingSummary;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that closes a kept-alive connection when the next request arrives, without answering it (issue 11):
 * the GET after {@code /status} failed with {@code NoHttpResponseException}. It is retried once on a fresh
 * connection; if that one is closed unanswered too, the error says so, naming the server and the URL.
 */
class KeptAliveConnectionTest {
    private static final String STATUS = "{\"state\":\"SYNCHRONIZED\"}";

    private final String listing = Listings.generated(50, 2).json();
    private ClosingServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void issue11_aGetOnAConnectionTheServerClosedIsRetriedOnAFreshOne() throws Exception {
        // Connection 1 answers /status and then closes on the next request; connection 2 answers.
        server = new ClosingServer(listing, 1);
        FarmvetConfig config = new TestConfigs().primary(server.url()).build();
        try (ListingFetcher fetcher = fetcher(config)) {
            assertThat(fetcher.statusProbe(config.primary()).ask()).isEqualTo("SYNCHRONIZED");

            ListingSummary summary = fetch(fetcher, config);

            assertThat(summary.repositories()).isEqualTo(50);
            assertThat(server.paths())
                    .containsExactly(
                            "/status", "/rest/mirroring/latest/repo-hashes", "/rest/mirroring/latest/repo-hashes");
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    @Test
    void issue11_aGetClosedUnansweredTwiceSaysSoNamingTheServerAndTheUrl() throws Exception {
        // Connection 1 answers /status and then closes on the next request; every later one closes at once.
        server = new ClosingServer(listing, Integer.MAX_VALUE);
        FarmvetConfig config = new TestConfigs().primary(server.url()).build();
        try (ListingFetcher fetcher = fetcher(config)) {
            assertThat(fetcher.statusProbe(config.primary()).ask()).isEqualTo("SYNCHRONIZED");

            FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(fetcher, config));

            assertThat(e)
                    .hasMessage("primary: GET " + server.url() + "/rest/mirroring/latest/repo-hashes: the server"
                            + " closed the connection without answering, twice (the GET was retried once on a fresh"
                            + " connection); check the server's log, and any proxy or load balancer in front of it");
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    private static ListingFetcher fetcher(FarmvetConfig config) throws Exception {
        return new ListingFetcher(config.http(), new ListingReader(ListingLimits.DEFAULTS), 2);
    }

    private static ListingSummary fetch(ListingFetcher fetcher, FarmvetConfig config) throws Exception {
        try (ListingRequest request =
                fetcher.prepare(config.primary(), "primary", ListingKind.FULL, new ServerProgress("primary"))) {
            request.send();
            return request.read(entry -> {});
        }
    }

    /**
     * Keeps connection 1 alive after answering {@code /status}, then reads the next request on it and closes it
     * unanswered; connections 2 to {@code lastClosing} do the same at their first request, later ones answer the
     * listing. A plain socket: the wire is the point.
     */
    private static final class ClosingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final AtomicInteger connections = new AtomicInteger();
        private final List<String> paths = new CopyOnWriteArrayList<>();
        private final byte[] listing;
        private final int lastClosing;

        ClosingServer(String listing, int lastClosing) throws IOException {
            this.listing = listing.getBytes(StandardCharsets.UTF_8);
            this.lastClosing = lastClosing;
            threads.submit(this::accept);
        }

        java.net.URI url() {
            return java.net.URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        int connections() {
            return connections.get();
        }

        List<String> paths() {
            return List.copyOf(paths);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    int number = connections.incrementAndGet();
                    threads.submit(() -> serve(connection, number));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket connection, int number) {
            try (connection) {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = connection.getOutputStream();
                for (int request = 1; ; request++) {
                    String path = readRequest(in);
                    if (path == null) {
                        return;
                    }
                    paths.add(path);
                    if (path.equals("/status") && number == 1 && request == 1) {
                        answer(out, STATUS.getBytes(StandardCharsets.UTF_8), true);
                    } else if (number <= lastClosing) {
                        return;
                    } else {
                        answer(out, listing, false);
                        return;
                    }
                }
            } catch (IOException e) {
                // The client went away: nothing to do.
            }
        }

        private static String readRequest(BufferedReader in) throws IOException {
            String line = in.readLine();
            if (line == null) {
                return null;
            }
            for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                // A GET has no body: the head is all there is.
            }
            return line.split(" ")[1];
        }

        private static void answer(OutputStream out, byte[] body, boolean keepAlive) throws IOException {
            String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n"
                    + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }
}

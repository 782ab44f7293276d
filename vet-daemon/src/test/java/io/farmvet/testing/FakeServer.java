package io.farmvet.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A small HTTP/1.1 server on loopback that answers every request through a {@link Responder}, writing the wire
 * format by hand so that tests can break it exactly where they want: a body cut short, a chunk never finished,
 * a byte every so often, a stall after the headers. It records every request it receives.
 */
public final class FakeServer implements AutoCloseable {
    /** Writes the whole answer, status line included, to the raw connection. */
    @FunctionalInterface
    public interface Responder {
        void respond(Request request, OutputStream out) throws Exception;
    }

    /** A request as received: method, path, headers (names in lower case) and body. */
    public record Request(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket socket;
    private final Responder responder;
    private final String scheme;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-server");
        t.setDaemon(true);
        return t;
    });

    private FakeServer(ServerSocket socket, String scheme, Responder responder) {
        this.socket = socket;
        this.scheme = scheme;
        this.responder = responder;
        connections.submit(this::acceptLoop);
    }

    public static FakeServer start(Responder responder) throws IOException {
        return new FakeServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), "http", responder);
    }

    public static FakeServer startTls(SSLContext context, Responder responder) throws IOException {
        ServerSocket tls = context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return new FakeServer(tls, "https", responder);
    }

    /** Base URL, as a farmvet config names a server. */
    public URI url() {
        return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort());
    }

    /** A URL nothing listens on (the port was just free). */
    public static URI closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        connections.shutdownNow();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.submit(() -> serve(connection));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            Map<String, String> headers = new TreeMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            String[] parts = requestLine.split(" ");
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            Request request = new Request(parts[0], parts[1], headers, new String(body));
            requests.add(request);
            OutputStream out = connection.getOutputStream();
            try {
                responder.respond(request, out);
                out.flush();
            } catch (Reset reset) {
                out.flush();
                // Linger 0: closing sends a TCP RST instead of a FIN, as a crashed proxy or a killed server does.
                connection.setSoLinger(true, 0);
            }
        } catch (SocketException e) {
            // The client hung up (a cancelled or timed-out fetch): expected in failure tests.
        } catch (Exception e) {
            if (!(e instanceof InterruptedException)) {
                e.printStackTrace();
            }
        }
    }

    // ---- responders ----

    /** Requests whose path starts with {@code prefix} go to {@code matching}, the others to {@code otherwise}. */
    public static Responder route(String prefix, Responder matching, Responder otherwise) {
        return (request, out) -> (request.path().startsWith(prefix) ? matching : otherwise).respond(request, out);
    }

    /**
     * A Bitbucket-like node: {@code /status} says {@code state}, {@code farmNodes} answers 404 (as an older version
     * or an agent does, so that it takes no turn of a {@link #sequence}), every other path gets {@code listing}.
     */
    public static Responder node(String state, Responder listing) {
        return node(state, status(404, "Not Found", "{}"), listing);
    }

    /**
     * A Bitbucket-like node as {@link #node(String, Responder)}, with {@code farmNodes} answered by {@code members}.
     * The per-repository mirroring API of issue 12 ({@code supportInfo/*}, {@code mirrorRepos/*}) answers 404 too,
     * so that the sync diagnostics take no turn of a {@link #sequence} of listings.
     */
    public static Responder node(String state, Responder members, Responder listing) {
        Responder none = status(404, "Not Found", "{}");
        return nodeServing(state, members, route(MIRRORING_SUPPORT, none, route(MIRRORING_REPOS, none, listing)));
    }

    /** {@code rest/mirroring/latest/supportInfo/}: repoSyncStatus and refChangesQueue (issue 12). */
    public static final String MIRRORING_SUPPORT = "/rest/mirroring/latest/supportInfo/";
    /** {@code rest/mirroring/latest/mirrorRepos/}: a repository's mirror status, delayed-sync (issue 12). */
    public static final String MIRRORING_REPOS = "/rest/mirroring/latest/mirrorRepos/";

    /**
     * A node as {@link #node(String, Responder, Responder)} whose every other path, the mirroring API included, gets
     * {@code rest} ({@link FakeBitbucket.Node} answers that API itself).
     */
    public static Responder nodeServing(String state, Responder members, Responder rest) {
        int code = state.equals("STARTING") ? 503 : 200;
        return route(
                "/status",
                status(
                        code,
                        code == 200 ? "OK" : "Service Unavailable",
                        "{\"state\":\"" + state + "\",\"nodeCount\":\"1\"}",
                        "Content-Type: application/json"),
                route("/" + io.farmvet.fetch.FarmNodesProbe.PATH, members, rest));
    }

    /** Answers each request with the next responder; the last one answers every request after that. */
    public static Responder sequence(Responder... responders) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return (request, out) ->
                responders[Math.min(next.getAndIncrement(), responders.length - 1)].respond(request, out);
    }

    /** 200 with a Content-Length body. */
    public static Responder json(String body) {
        return (request, out) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + bytes.length);
            out.write(bytes);
        };
    }

    /** 200 with a chunked body in chunks of {@code chunkSize} bytes, each flushed. */
    public static Responder chunked(String body, int chunkSize) {
        return (request, out) -> {
            head(out, 200, "OK", "Content-Type: application/json", "Transfer-Encoding: chunked");
            writeChunks(out, body.getBytes(StandardCharsets.UTF_8), chunkSize);
        };
    }

    /** 200 with {@code body} as it is, labelled {@code Content-Encoding: coding}, with a Content-Length. */
    public static Responder encoded(String coding, byte[] body) {
        return (request, out) -> {
            head(
                    out,
                    200,
                    "OK",
                    "Content-Type: application/json",
                    "Content-Encoding: " + coding,
                    "Content-Length: " + body.length);
            out.write(body);
        };
    }

    /** 200 with {@code body} labelled gzip, chunked in chunks of {@code chunkSize} bytes, each flushed. */
    public static Responder gzipChunked(byte[] body, int chunkSize) {
        return (request, out) -> {
            head(
                    out,
                    200,
                    "OK",
                    "Content-Type: application/json",
                    "Content-Encoding: gzip",
                    "Transfer-Encoding: chunked");
            writeChunks(out, body, chunkSize);
        };
    }

    /** {@code text} in UTF-8, gzip-compressed. */
    public static byte[] gzip(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeChunks(OutputStream out, byte[] bytes, int chunkSize) throws IOException {
        for (int i = 0; i < bytes.length; i += chunkSize) {
            int n = Math.min(chunkSize, bytes.length - i);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, i, n);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Announces the whole body's length, sends only its first {@code bytes} bytes, then hangs up. */
    public static Responder cutShort(String body, int bytes) {
        return (request, out) -> {
            byte[] all = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + all.length);
            out.write(all, 0, bytes);
        };
    }

    /** Chunked, sends the first {@code bytes} bytes in one chunk, then hangs up without the last chunk. */
    public static Responder chunkedCutShort(String body, int bytes) {
        return (request, out) -> {
            head(out, 200, "OK", "Content-Type: application/json", "Transfer-Encoding: chunked");
            out.write((Integer.toHexString(bytes) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body.getBytes(StandardCharsets.UTF_8), 0, bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        };
    }

    /** Sends the head and the first {@code bytes} bytes, then stays silent for {@code silence}. */
    public static Responder stallAfter(String body, int bytes, Duration silence) {
        return (request, out) -> {
            byte[] all = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + all.length);
            out.write(all, 0, bytes);
            out.flush();
            Thread.sleep(silence.toMillis());
        };
    }

    /** Sends the first {@code bytes} bytes of the body, pauses for {@code pause}, then sends the rest. */
    public static Responder pauseAfter(String body, int bytes, Duration pause) {
        return (request, out) -> {
            byte[] all = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + all.length);
            out.write(all, 0, bytes);
            out.flush();
            Thread.sleep(pause.toMillis());
            out.write(all, bytes, all.length - bytes);
        };
    }

    /** Sends the body one byte every {@code interval}: never silent long, never done soon. */
    public static Responder drip(String body, Duration interval) {
        return (request, out) -> {
            byte[] all = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + all.length);
            for (byte b : all) {
                out.write(b);
                out.flush();
                Thread.sleep(interval.toMillis());
            }
        };
    }

    /**
     * Announces the whole body, sends its first {@code bytes} bytes, then resets the connection (TCP RST): the
     * client sees "connection reset" mid-stream rather than an orderly end.
     */
    public static Responder resetAfter(String body, int bytes) {
        return (request, out) -> {
            byte[] all = body.getBytes(StandardCharsets.UTF_8);
            head(out, 200, "OK", "Content-Type: application/json", "Content-Length: " + all.length);
            out.write(all, 0, bytes);
            throw new Reset();
        };
    }

    /** Thrown by a responder to have the connection reset rather than closed. */
    private static final class Reset extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** Any status with a body and extra header lines ({@code "Name: value"}). */
    public static Responder status(int code, String reason, String body, String... headers) {
        return (request, out) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String[] all = new String[headers.length + 1];
            System.arraycopy(headers, 0, all, 0, headers.length);
            all[headers.length] = "Content-Length: " + bytes.length;
            head(out, code, reason, all);
            out.write(bytes);
        };
    }

    private static void head(OutputStream out, int code, String reason, String... headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ")
                .append(code)
                .append(' ')
                .append(reason)
                .append("\r\n");
        head.append("Connection: close\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Sleeps without the checked exception, for responders that pace themselves. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

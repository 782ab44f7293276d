package io.farmvet.git;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Real bare repositories over real smart HTTP on loopback: Jetty in front of {@code git http-backend}
 * ({@link GitHttpBackend}), protocol v2 included, so that a client under test talks to git itself. A repository
 * {@code ROOT/PROJ/slug.git} is at {@code url()/PROJ/slug.git}. Failure knobs: an {@code Authorization} it
 * requires (401 otherwise), a status for every request, a stall until closed, a made-up advertisement of any
 * size. Records each request. Knobs may be changed while serving; thread-safe.
 */
public final class GitHttpServer implements AutoCloseable {
    /** A request as received, at {@code nanos} on {@link System#nanoTime()}'s clock. */
    public record Seen(String method, String path, String authorization, String gitProtocol, long nanos) {}

    private final Server server;
    private final ServerConnector connector;
    private final String scheme;
    private final GitHttpBackend backend;
    private final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final AtomicLong bodyBytesSent = new AtomicLong();
    private volatile String requiredAuthorization;
    private volatile int failStatus;
    private volatile boolean stalled;
    private volatile long advertisementBytes;
    private volatile String forbidden;

    private GitHttpServer(Path root, SSLContext tls) throws Exception {
        backend = new GitHttpBackend(root);
        server = new Server();
        if (tls == null) {
            connector = new ServerConnector(server);
        } else {
            SslContextFactory.Server factory = new SslContextFactory.Server();
            factory.setSslContext(tls);
            connector = new ServerConnector(server, factory);
        }
        scheme = tls == null ? "http" : "https";
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                connectionsOpened.incrementAndGet();
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                serve(request, response, callback);
                return true;
            }
        });
        server.start();
    }

    /** Serves the bare repositories under {@code root}. */
    public static GitHttpServer start(Path root) throws Exception {
        return new GitHttpServer(root, null);
    }

    /** Serves them over HTTPS with {@code tls}'s certificate. */
    public static GitHttpServer startTls(Path root, SSLContext tls) throws Exception {
        return new GitHttpServer(root, tls);
    }

    public URI url() {
        return URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort());
    }

    /** The URL of {@code ROOT/relative}, e.g. {@code PROJ/slug.git}. */
    public String repositoryUrl(String relative) {
        return url() + "/" + relative;
    }

    /** Answers 401 (with a challenge) to every request without exactly this {@code Authorization} value. */
    public GitHttpServer requireAuthorization(String value) {
        requiredAuthorization = value;
        return this;
    }

    /** Answers every request with this status (0: back to normal). */
    public GitHttpServer failWith(int status) {
        failStatus = status;
        return this;
    }

    /** Answers 403 to the requests for one repository ({@code PROJ/slug.git}), as a server whose account may not read it. */
    public GitHttpServer forbid(String relative) {
        forbidden = "/" + relative + "/";
        return this;
    }

    /** Holds every request unanswered until the server closes. */
    public GitHttpServer stall() {
        stalled = true;
        return this;
    }

    /** Answers {@code info/refs} with a made-up v0 advertisement of at least {@code bytes} bytes (0: real). */
    public GitHttpServer hugeAdvertisement(long bytes) {
        advertisementBytes = bytes;
        return this;
    }

    /** TCP connections accepted so far: fewer than the requests when clients keep them alive. */
    public int connectionsOpened() {
        return connectionsOpened.get();
    }

    /** Bytes of the bodies git http-backend answered with, all requests together. */
    public long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    public List<Seen> requests() {
        return List.copyOf(requests);
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String gitProtocol = request.getHeaders().get("Git-Protocol");
        requests.add(new Seen(request.getMethod(), path, authorization, gitProtocol, System.nanoTime()));
        if (stalled) {
            closing.await();
            answer(response, callback, 503, "text/plain", "closing\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (failStatus != 0) {
            answer(
                    response,
                    callback,
                    failStatus,
                    "text/plain",
                    "failing on purpose\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String refused = forbidden;
        if (refused != null && path.startsWith(refused)) {
            answer(response, callback, 403, "text/plain", "not yours\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String required = requiredAuthorization;
        if (required != null && !required.equals(authorization)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"git\"");
            answer(response, callback, 401, "text/plain", "who are you?\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String query = request.getHttpURI().getQuery();
        if (advertisementBytes > 0 && path.endsWith("/info/refs")) {
            answer(response, callback, 200, "application/x-git-upload-pack-advertisement", madeUp(advertisementBytes));
            return;
        }
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.put(field.getLowerCaseName(), field.getValue());
        }
        GitHttpBackend.Answer cgi = backend.run(request.getMethod(), path, query, headers, body);
        for (String header : cgi.headers()) {
            int colon = header.indexOf(':');
            response.getHeaders()
                    .add(
                            header.substring(0, colon).strip(),
                            header.substring(colon + 1).strip());
        }
        response.setStatus(cgi.status());
        bodyBytesSent.addAndGet(cgi.body().length);
        response.write(true, ByteBuffer.wrap(cgi.body()), callback);
    }

    private static void answer(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A v0 upload-pack advertisement of fabricated branches, as a server that lists far too much sends. */
    private static byte[] madeUp(long bytes) {
        StringBuilder out = new StringBuilder(pkt("# service=git-upload-pack\n")).append("0000");
        String id = "1".repeat(40);
        out.append(pkt(id + " refs/heads/b0\0multi_ack side-band-64k\n"));
        for (int i = 1; out.length() < bytes; i++) {
            out.append(pkt(id + " refs/heads/b" + i + "\n"));
        }
        return out.append("0000").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String pkt(String line) {
        return String.format("%04x", line.length() + 4) + line;
    }

    @Override
    public void close() throws Exception {
        closing.countDown();
        server.stop();
    }
}

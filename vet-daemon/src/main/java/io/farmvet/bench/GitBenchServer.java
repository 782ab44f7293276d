package io.farmvet.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A fast smart-HTTP Git server on loopback for {@code bench git}: Jetty in front of JGit's own {@link UploadPack},
 * which speaks protocol v2 ({@code ls-refs}) to a client that asks for it ({@code Git-Protocol: version=2}, as the
 * git CLI and JGit both do) and v0 otherwise, the way JGit's {@code GitServlet} drives it. Repositories are served
 * from memory at {@code /{path}} ({@code /P0001/repo-00042.git}); anything else is 404. Only fetch's read side:
 * {@code info/refs?service=git-upload-pack} and {@code POST git-upload-pack}. Counts requests and accepted
 * connections, to show how many connections the clients kept alive. Thread-safe.
 */
final class GitBenchServer implements AutoCloseable {
    private static final String UPLOAD_PACK = "git-upload-pack";

    private final Map<String, Repository> repositories;
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    /** @param repositories by path without the leading slash ({@code P0001/repo-00042.git}) */
    GitBenchServer(Map<String, Repository> repositories) throws Exception {
        this.repositories = repositories;
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                connections.incrementAndGet();
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

    /** {@code http://127.0.0.1:PORT/{project}/{repo}.git}, a {@code kind: git} server's url. */
    String urlTemplate() {
        return baseUrl() + "/{project}/{repo}.git";
    }

    String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    long requests() {
        return requests.get();
    }

    long connections() {
        return connections.get();
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        requests.incrementAndGet();
        String path = Request.getPathInContext(request);
        boolean infoRefs = path.endsWith("/info/refs")
                && ("service=" + UPLOAD_PACK).equals(request.getHttpURI().getQuery());
        boolean uploadPack =
                path.endsWith("/" + UPLOAD_PACK) && request.getMethod().equals("POST");
        String name = infoRefs
                ? path.substring(1, path.length() - "/info/refs".length())
                : uploadPack ? path.substring(1, path.length() - UPLOAD_PACK.length() - 1) : null;
        Repository repository = name == null ? null : repositories.get(name);
        if (repository == null) {
            answer(response, callback, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        UploadPack pack = new UploadPack(repository);
        pack.setBiDirectionalPipe(false);
        String protocol = request.getHeaders().get("Git-Protocol");
        if (protocol != null) {
            pack.setExtraParameters(Arrays.asList(protocol.split(":")));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        if (infoRefs) {
            // Writes "# service=git-upload-pack" first in v0 only, as git http-backend does.
            pack.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(new PacketLineOut(out)), UPLOAD_PACK);
            answer(response, callback, 200, "application/x-git-upload-pack-advertisement", out.toByteArray());
            return;
        }
        byte[] body;
        // JGit's client gzips its request bodies; git's does when they are large.
        boolean gzip = "gzip".equalsIgnoreCase(request.getHeaders().get(HttpHeader.CONTENT_ENCODING));
        try (InputStream raw = Request.asInputStream(request);
                InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
            body = in.readAllBytes();
        }
        pack.upload(new ByteArrayInputStream(body), out, null);
        answer(response, callback, 200, "application/x-git-upload-pack-result", out.toByteArray());
    }

    private static void answer(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

package io.farmvet.daemon.server;

import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The daemon's HTTP listener: Jetty 12 core (no servlets) serving {@link ApiHandler}, bounded everywhere a
 * client could make it grow. Headers beyond {@value #MAX_HEADER_BYTES} bytes get 431 from Jetty; bodies beyond
 * {@link ApiHandler#MAX_BODY_BYTES} (for Bitbucket's webhook,
 * {@link io.farmvet.daemon.hooks.BitbucketWebhook#MAX_BODY_BYTES}) get 413; a connection silent for
 * {@link #IDLE_TIMEOUT} is closed; at most {@value #MAX_THREADS} threads serve requests, and at most
 * {@value #MAX_CONNECTIONS} connections are open (the
 * next waits in the accept backlog), which also bounds the work queued for the threads.
 *
 * <p>Why Jetty rather than the JDK's {@code HttpServer}: the JDK server has no bound on header size, no idle
 * timeout for a client that stops sending, and no limit on open connections; Jetty has all three as settings, a
 * strict URI parser that rejects ambiguous paths, and is one small jar set.
 *
 * <p>Thread-safe; start once, close once.
 */
public final class ApiServer implements AutoCloseable {
    /** 8 KiB: a bearer token and a few ordinary headers fit many times over. */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Long enough for any real client on loopback or a LAN; a slowloris holds a thread at most this long. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Requests are small and short (a vet runs on its own thread); 16 threads serve 200 concurrent callers. */
    public static final int MAX_THREADS = 16;

    /** Each open connection holds at most one request in flight (HTTP/1.1), so this bounds the queued work too. */
    public static final int MAX_CONNECTIONS = 256;
    /** Time given to requests in progress when the daemon stops. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Server server;
    private final ServerConnector connector;

    private ApiServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and starts serving.
     *
     * @throws Exception when the address cannot be bound; the message names it
     */
    public static ApiServer start(String host, int port, ApiBackend backend, Duration idleTimeout) throws Exception {
        // Jetty warns against a bounded job queue (it can drop its own internal tasks); the connection limit below
        // bounds what can queue instead.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("farmvet-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // One acceptor and one selector: the daemon serves a handful of clients on a 2-core box.
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        connector.setAcceptQueueSize(128);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.setHandler(new ApiHandler(backend));
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        server.setErrorHandler(errors);
        server.setStopTimeout(STOP_GRACE.toMillis());
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new ApiServer(server, connector);
    }

    /** The base URL clients reach, with the port actually bound. */
    public URI url() {
        String host = connector.getHost();
        String literal = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create("http://" + literal + ":" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

package io.farmvet.agent;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.git.MirrorSync;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.util.Units;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code farmvet agent}: serves the repo-hashes listing of the bare repositories under {@code DIR}, the node's
 * {@code /status}, and (with an upstream) the resync endpoint, over HTTP on Jetty. See {@link AgentHandler} for
 * the endpoints.
 *
 * <p>Lifecycle: {@link #start} validates the settings, starts listening, and scans {@code DIR} for the id index in
 * the background; until that scan is done {@code /status} says {@code STARTING} (HTTP 503) and resyncs are
 * answered 503 (the vet retries). {@link #close} stops accepting, lets open requests finish and running resyncs
 * finish for up to {@link AgentSettings#STOP_TIMEOUT} each, and drops queued resyncs (the next vet asks again).
 *
 * <p>Thread-safe.
 */
public final class AgentServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);

    private final AgentSettings settings;
    private final MirrorSync sync;
    private final RepositoryIndex index;
    private final ResyncQueue queue;
    private final ExecutorService hashPool;
    private final Server server;
    private final ServerConnector connector;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean scanned;
    private volatile boolean stopping;
    private volatile int boundPort = -1;

    private AgentServer(AgentSettings settings, LongConsumer beforeResync) throws IOException {
        this.settings = settings;
        Path root = settings.repositories().toAbsolutePath();
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("--repos " + settings.repositories() + ": not a directory");
        }
        root = root.toRealPath();
        boolean loopback = InetAddress.getByName(settings.host()).isLoopbackAddress();
        if (settings.token() == null && !loopback) {
            throw new IllegalArgumentException("refusing to listen on " + settings.host() + " without --token-file:"
                    + " anyone who can reach it could read the listing and trigger resyncs");
        }
        RepositoryHasher hasher = new RepositoryHasher();
        this.sync = settings.upstreamTemplate() == null
                ? null
                : new MirrorSync(
                        root,
                        settings.upstreamTemplate(),
                        settings.quarantine(),
                        hasher,
                        Clock.systemUTC(),
                        MirrorSync.DEFAULT_TIMEOUT_SECONDS);
        this.index = new RepositoryIndex(root);
        SyncRecords records = new SyncRecords();
        this.queue = sync == null
                ? null
                : new ResyncQueue(
                        sync,
                        index,
                        records,
                        Clock.systemUTC(),
                        settings.resyncConcurrency(),
                        AgentSettings.MAX_PENDING_RESYNCS,
                        beforeResync);
        MirroringEndpoints mirroring = new MirroringEndpoints(root, index, records, queue, hasher, Clock.systemUTC());
        this.hashPool = Executors.newFixedThreadPool(settings.hashThreads(), NamedThreads.of("agent-hash"));
        ListingStreamer streamer = new ListingStreamer(root, hasher, hashPool, 2 * settings.hashThreads());

        QueuedThreadPool threads = new QueuedThreadPool(AgentSettings.MAX_HTTP_THREADS, AgentSettings.MIN_HTTP_THREADS);
        threads.setName("farmvet-agent-http");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(AgentSettings.MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(AgentSettings.IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(AgentSettings.MAX_CONNECTIONS, connector));
        server.setHandler(
                new GracefulHandler(new AgentHandler(this, streamer, index, queue, mirroring, settings.token())));
        server.setStopTimeout(AgentSettings.STOP_TIMEOUT.toMillis());
        if (settings.token() == null) {
            LOG.warn("no --token-file: every endpoint is open to anyone on this host ({})", settings.host());
        }
    }

    /** Starts an agent; it listens when this returns. */
    public static AgentServer start(AgentSettings settings) throws IOException {
        return start(settings, id -> {});
    }

    /** As {@link #start(AgentSettings)}, with a hook run on the resync worker as each job starts (tests). */
    static AgentServer start(AgentSettings settings, LongConsumer beforeResync) throws IOException {
        AgentServer agent = new AgentServer(settings, beforeResync);
        try {
            agent.server.start();
            // Kept: the connector forgets its port once stopped, and uri() should still name it in messages.
            agent.boundPort = agent.connector.getLocalPort();
        } catch (Exception e) {
            agent.close();
            throw new IOException(
                    "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        NamedThreads.of("agent-scan").start(agent::scan);
        return agent;
    }

    private void scan() {
        long startNanos = System.nanoTime();
        try {
            int repositories = index.rescan();
            LOG.info(
                    "scanned {}: {} in {}",
                    settings.repositories(),
                    Units.count(repositories, "repository", "repositories"),
                    Units.millis((System.nanoTime() - startNanos) / 1_000_000));
        } catch (IOException | RuntimeException e) {
            // Lookups rescan on a miss, so the agent can still serve; say why the first scan failed.
            LOG.error("cannot scan {}: {}; resync requests will rescan", settings.repositories(), e.toString());
        } finally {
            scanned = true;
        }
    }

    /** The port the agent listens on (the chosen one when the settings said 0). */
    public int port() {
        return boundPort;
    }

    /** {@code http://host:port}, for clients and logs. */
    public URI uri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port());
    }

    /** True when the agent resyncs from an upstream; false on a primary, which only serves hashes. */
    public boolean resyncs() {
        return sync != null;
    }

    /** The node state {@code /status} reports: STARTING, RUNNING, SYNCHRONIZED or STOPPING. */
    public String state() {
        if (stopping) {
            return "STOPPING";
        }
        if (!scanned) {
            return "STARTING";
        }
        return queue != null && queue.pending() > 0 ? "RUNNING" : "SYNCHRONIZED";
    }

    /** Fetches started by resyncs so far (0 without an upstream): tests count them to see duplicates joined. */
    public long fetchCount() {
        return sync == null ? 0 : sync.fetchCount();
    }

    /** Waits until the agent has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops gracefully (see the class comment); calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server: {}", e.toString());
        }
        if (queue != null) {
            try {
                queue.stop(AgentSettings.STOP_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        hashPool.shutdownNow();
    }
}

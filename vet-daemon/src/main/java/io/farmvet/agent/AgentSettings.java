package io.farmvet.agent;

import io.farmvet.config.Secret;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code farmvet agent} runs with. Immutable.
 *
 * @param repositories {@code DIR}, holding {@code <project-key>/<slug>.git}
 * @param upstreamTemplate URL template with {@code {project}} and {@code {repo}}, or null on a primary, where the
 *     agent only serves hashes
 * @param host address to listen on
 * @param port port to listen on; 0 picks a free one (tests)
 * @param token the bearer token every endpoint but {@code /status} requires, or null for none (loopback only)
 * @param quarantine where extra repositories are moved, or null for {@code DIR/../farmvet-quarantine}
 * @param resyncConcurrency resyncs running at the same time
 * @param hashThreads repositories hashed at the same time, over all listing requests
 */
public record AgentSettings(
        Path repositories,
        String upstreamTemplate,
        String host,
        int port,
        Secret token,
        Path quarantine,
        int resyncConcurrency,
        int hashThreads) {

    /** Loopback only unless told otherwise: the listing tells anyone who can reach it what the fleet holds. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Bitbucket's default HTTP port, so a vet config written for a Bitbucket farm (node URLs without a port
     * change) points at the agent unchanged; on a Bitbucket host the agent is not needed.
     */
    public static final int DEFAULT_PORT = 7990;

    /** Two fetches at a time: fetches are network- and disk-bound, and a mirror keeps serving clones meanwhile. */
    public static final int DEFAULT_RESYNC_CONCURRENCY = 2;

    public static final int DEFAULT_HASH_THREADS = Runtime.getRuntime().availableProcessors();

    /** Largest request header block: ours are a few hundred bytes; 8 KiB is Jetty's and most proxies' default. */
    public static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

    /** Largest resync body: the documented body is under 200 bytes. */
    public static final int MAX_REQUEST_BODY_BYTES = 64 * 1024;

    /**
     * A connection with no bytes moving for this long is closed: drops clients that stall while sending a request
     * or reading a listing, without cutting a listing whose next project is still hashing (a project of
     * thousands of repositories hashes in seconds).
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** HTTP worker threads: listings hold one each while they stream; resyncs return at once. */
    public static final int MAX_HTTP_THREADS = 32;

    public static final int MIN_HTTP_THREADS = 4;

    /** Connections accepted at once; further ones wait in the kernel's backlog. */
    public static final int MAX_CONNECTIONS = 256;

    /** Listings streamed at once: each keeps hashing threads busy; a vet asks for one per run. */
    public static final int MAX_CONCURRENT_LISTINGS = 4;

    /** Resync jobs queued or running at once; more are answered 429 and retried by the vet. */
    public static final int MAX_PENDING_RESYNCS = 10_000;

    /** How long a stop waits for running resyncs (and open requests) before it interrupts them. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    public AgentSettings {
        if (repositories == null) {
            throw new IllegalArgumentException("--repos: is required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen: port must be 0 to 65535 (got " + port + ")");
        }
        if (resyncConcurrency < 1) {
            throw new IllegalArgumentException("--concurrency: must be 1 or greater (got " + resyncConcurrency + ")");
        }
        if (hashThreads < 1) {
            throw new IllegalArgumentException("hashThreads: must be 1 or greater (got " + hashThreads + ")");
        }
    }

    /** The defaults for everything but the folder, the upstream and the token. */
    public static AgentSettings of(Path repositories, String upstreamTemplate, Secret token) {
        return new AgentSettings(
                repositories,
                upstreamTemplate,
                DEFAULT_HOST,
                DEFAULT_PORT,
                token,
                null,
                DEFAULT_RESYNC_CONCURRENCY,
                DEFAULT_HASH_THREADS);
    }

    public AgentSettings withListen(String newHost, int newPort) {
        return new AgentSettings(
                repositories, upstreamTemplate, newHost, newPort, token, quarantine, resyncConcurrency, hashThreads);
    }

    public AgentSettings withQuarantine(Path newQuarantine) {
        return new AgentSettings(
                repositories, upstreamTemplate, host, port, token, newQuarantine, resyncConcurrency, hashThreads);
    }

    public AgentSettings withResyncConcurrency(int newConcurrency) {
        return new AgentSettings(
                repositories, upstreamTemplate, host, port, token, quarantine, newConcurrency, hashThreads);
    }
}

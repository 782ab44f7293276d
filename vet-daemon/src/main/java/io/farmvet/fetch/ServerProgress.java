package io.farmvet.fetch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of one server's fetch, written by the fetching thread and read by anyone (the terminal
 * progress line, later the metrics). A reader may see bytes and repositories a moment apart.
 *
 * <p>One thread writes, so a count is a release store of its own plain read plus the increment, not an atomic
 * add with its fence.
 */
public final class ServerProgress {
    public enum State {
        WAITING,
        CONNECTING,
        READING,
        DONE,
        FAILED
    }

    private final String server;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong wireBytes = new AtomicLong();
    private final AtomicLong repositories = new AtomicLong();
    private volatile long expectedRepositories = -1;
    private volatile State state = State.WAITING;

    public ServerProgress(String server) {
        this.server = server;
    }

    public String server() {
        return server;
    }

    /** Bytes of the listing read so far, decoded (as the parser sees them). */
    public long bytes() {
        return bytes.get();
    }

    /** Bytes received compressed, before decoding; 0 while the body is not compressed. */
    public long wireBytes() {
        return wireBytes.get();
    }

    public long repositories() {
        return repositories.get();
    }

    /** How many repositories the listing will hold, when known before it is read (a server of kind git); else -1. */
    public long expectedRepositories() {
        return expectedRepositories;
    }

    public State state() {
        return state;
    }

    void addBytes(long n) {
        bytes.setRelease(bytes.getPlain() + n);
    }

    /** Only from the fetching thread, as {@link #addBytes}. */
    void addWireBytes(long n) {
        wireBytes.setRelease(wireBytes.getPlain() + n);
    }

    void expectRepositories(long n) {
        expectedRepositories = n;
    }

    /** Only from the fetching thread, as {@link #addBytes}. */
    void addRepositories(long n) {
        repositories.setRelease(repositories.getPlain() + n);
    }

    public void state(State state) {
        this.state = state;
    }
}

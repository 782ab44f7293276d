package io.farmvet.fetch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of one server's fetch, written by the fetching thread and read by anyone (the terminal
 * progress line, later the metrics). Plain atomics: a reader may see bytes and repositories a moment apart.
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
    private final AtomicLong repositories = new AtomicLong();
    private volatile State state = State.WAITING;

    public ServerProgress(String server) {
        this.server = server;
    }

    public String server() {
        return server;
    }

    public long bytes() {
        return bytes.get();
    }

    public long repositories() {
        return repositories.get();
    }

    public State state() {
        return state;
    }

    void addBytes(long n) {
        bytes.addAndGet(n);
    }

    public void addRepository() {
        repositories.incrementAndGet();
    }

    public void state(State state) {
        this.state = state;
    }
}

package io.farmvet.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way farmvet makes threads, for pools and single workers alike. Threads are named
 * {@code farmvet-<role>-<n>} so that a thread dump says what each one is for; they are daemons, so that no worker
 * keeps a stopping JVM alive (whoever owns a pool shuts it down in order); and an exception that escapes a task run
 * with {@code execute} or {@code start} is logged with the thread's name instead of going to stderr unseen.
 * Thread-safe: one instance per pool or per kind of worker, so that {@code n} counts within it.
 */
public final class NamedThreads implements ThreadFactory {
    private static final Logger log = LoggerFactory.getLogger(NamedThreads.class);

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private NamedThreads(String role) {
        this.prefix = "farmvet-" + role + "-";
    }

    /** @param role what the threads do, such as {@code vet} or {@code repair-mirror-1} */
    public static NamedThreads of(String role) {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a thread role must not be blank");
        }
        return new NamedThreads(role);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(NamedThreads::logUncaught);
        return thread;
    }

    /** A new thread for {@code task}, started. */
    public Thread start(Runnable task) {
        Thread thread = newThread(task);
        thread.start();
        return thread;
    }

    private static void logUncaught(Thread thread, Throwable failure) {
        log.error("thread {} stopped on an unexpected error: {}", thread.getName(), failure.toString(), failure);
    }
}

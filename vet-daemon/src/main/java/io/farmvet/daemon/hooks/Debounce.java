package io.farmvet.daemon.hooks;

import io.farmvet.concurrent.NamedThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action once per burst: the first {@link #arm} starts a timer of the debounce, every other one before it
 * fires joins it, and the action runs once on the timer's own thread. A window is counted from its first arming,
 * not its last, so that a steady trickle cannot postpone the action forever.
 *
 * <p>Thread-safe; {@link #close} cancels the timer, and later armings do nothing.
 */
final class Debounce implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Debounce.class);

    private final Supplier<Duration> window;
    private final Runnable action;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(NamedThreads.of("webhook-debounce"));
    private ScheduledFuture<?> armed; // guarded by this

    /** @param window read at each arming, so that a reloaded {@code vet.webhook-debounce} applies to the next one */
    Debounce(Supplier<Duration> window, Runnable action) {
        this.window = window;
        this.action = action;
    }

    /** The action runs at most one window from now, unless this is closed first. */
    synchronized void arm() {
        if (armed != null) {
            return;
        }
        try {
            armed = timer.schedule(this::fire, window.get().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed: farmvet is stopping.
        }
    }

    /** The window, as the action sees it: the wait before the next run after an {@link #arm}. */
    Duration window() {
        return window.get();
    }

    private void fire() {
        synchronized (this) {
            armed = null;
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            // One bad run must not end the timer thread's later ones.
            log.error("the webhooks' debounced work failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

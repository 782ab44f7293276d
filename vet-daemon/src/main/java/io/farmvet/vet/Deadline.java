package io.farmvet.vet;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.fetch.ListingSource;
import io.farmvet.util.Units;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code vet.deadline}: every request of the vet is tracked, and all still running when it passes (or when the
 * vet is cancelled) are cancelled with the reason; a request tracked after that is cancelled at once.
 */
final class Deadline implements AutoCloseable {
    /** Time allowed after a cancel for the fetch threads to wind down before the vet gives up on them. */
    private static final long CANCEL_GRACE_MS = 5_000;

    private final Set<ListingSource> requests = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> stopped = new AtomicReference<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(NamedThreads.of("deadline"));
    private final long endNanos;

    Deadline(Duration deadline) {
        endNanos = System.nanoTime() + deadline.toNanos();
        String reason = "vet deadline of " + Units.duration(deadline) + " (vet.deadline) reached";
        timer.schedule(() -> stop(reason), deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    ListingSource track(ListingSource request) {
        requests.add(request);
        String reason = stopped.get();
        if (reason != null) {
            request.cancel(reason);
        }
        return request;
    }

    void stop(String reason) {
        stopped.compareAndSet(null, reason);
        for (ListingSource request : requests) {
            request.cancel(stopped.get());
        }
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    /** Waits for a fetch task; past the deadline it has {@value #CANCEL_GRACE_MS} ms to end after its cancel. */
    <T> T await(Future<T> future) {
        try {
            return future.get(remaining().toMillis() + CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop("vet cancelled");
            return afterCancel(future);
        } catch (TimeoutException e) {
            stop("vet deadline passed and the fetch did not stop");
            return afterCancel(future);
        } catch (ExecutionException e) {
            // The fetch tasks catch everything they expect; anything else is a bug worth a stack trace.
            throw new IllegalStateException("fetch task failed unexpectedly", e.getCause());
        }
    }

    /** Collects a cancelled fetch's outcome, even on an interrupted thread (whose flag it keeps). */
    private static <T> T afterCancel(Future<T> future) {
        boolean interrupted = Thread.interrupted();
        try {
            return future.get(CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
            throw new IllegalStateException("vet interrupted again while its fetches were being cancelled", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "a fetch did not stop within " + Units.millis(CANCEL_GRACE_MS) + " of being cancelled", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

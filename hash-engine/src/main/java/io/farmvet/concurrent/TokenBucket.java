package io.farmvet.concurrent;

import java.time.Duration;

/**
 * {@code repair.rate}: at most {@code ratePerSecond} requests started per second. The bucket holds one token, so
 * requests are spaced evenly ({@code 1/rate} apart) and no burst follows a quiet spell. Every attempt takes a token,
 * retries included. Thread-safe: callers queue on the bucket's lock, each leaving in turn at its slot.
 */
public final class TokenBucket {
    private final long intervalNanos;
    private final Sleeper sleeper;
    private long nextSlotNanos;
    private boolean started;

    public TokenBucket(double ratePerSecond, Sleeper sleeper) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("repair.rate: must be greater than 0, was " + ratePerSecond);
        }
        this.intervalNanos = Math.max(1, Math.round(1_000_000_000d / ratePerSecond));
        this.sleeper = sleeper;
    }

    /** Waits for the next slot. */
    public synchronized void acquire() throws InterruptedException {
        long now = sleeper.nanoTime();
        if (!started) {
            started = true;
            nextSlotNanos = now;
        }
        long wait = nextSlotNanos - now;
        if (wait > 0) {
            sleeper.sleep(Duration.ofNanos(wait));
        }
        nextSlotNanos = Math.max(now, nextSlotNanos) + intervalNanos;
    }
}

package io.farmvet.repair.send;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter (AWS's "Exponential Backoff and Jitter"): retry {@code n} waits a uniform
 * random time in {@code [0, min(max, initial × 2^(n-1))]}, so that requests failed together do not come back
 * together. Thread-safe (the random generator is guarded).
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** The wait before retry {@code retry} (1 for the first retry). */
    public Duration delay(int retry) {
        int doublings = Math.min(Math.max(retry - 1, 0), 62);
        long ceiling = initialNanos > (maxNanos >> doublings) ? maxNanos : initialNanos << doublings;
        long nanos;
        synchronized (this) {
            nanos = random.nextLong(ceiling + 1);
        }
        return Duration.ofNanos(nanos);
    }
}

package io.farmvet.concurrent;

import java.time.Duration;

/**
 * The monotonic clock and the sleep that pacing and back-off use, injectable so that tests advance time instead
 * of waiting for it. Implementations must be thread-safe.
 */
public interface Sleeper {
    Sleeper SYSTEM = new Sleeper() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            if (!duration.isNegative() && !duration.isZero()) {
                Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
            }
        }
    };

    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;
}

package io.farmvet.repair.testing;

import io.farmvet.concurrent.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A wall clock and a monotonic clock that only move when a test sleeps or advances them: no real waiting. Sleeps
 * are recorded so that tests can check the waits asked for. Thread-safe.
 */
public final class FakeTime extends Clock implements Sleeper {
    private final Instant origin;
    private final AtomicLong nanos = new AtomicLong();
    private final List<Duration> sleeps = new ArrayList<>();
    private final Map<String, List<Duration>> labelled = new HashMap<>();

    public FakeTime(Instant origin) {
        this.origin = origin;
    }

    public FakeTime() {
        this(Instant.parse("2026-11-22T10:00:00Z"));
    }

    public void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    /** The sleeps made through {@link #sleeper(String)} with this label. */
    public synchronized List<Duration> sleeps(String label) {
        return List.copyOf(labelled.getOrDefault(label, List.of()));
    }

    /** A sleeper on this same clock whose sleeps are also recorded under {@code label}. */
    public Sleeper sleeper(String label) {
        FakeTime time = this;
        return new Sleeper() {
            @Override
            public long nanoTime() {
                return time.nanoTime();
            }

            @Override
            public void sleep(Duration duration) {
                synchronized (time) {
                    time.labelled.computeIfAbsent(label, l -> new ArrayList<>()).add(duration);
                }
                time.sleep(duration);
            }
        };
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (this) {
            sleeps.add(duration);
        }
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public Instant instant() {
        // Millisecond steps, as a database column keeps them.
        return origin.plusMillis(nanos.get() / 1_000_000);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}

package io.farmvet.git.remote;

import io.farmvet.util.Units;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one ls-remote may read, whatever the transport: at most {@code maxBytes} bytes in all, and nothing once the
 * call's time is up. HTTP counts its answers' bodies, git:// the socket's bytes, ssh the remote
 * {@code git-upload-pack}'s output (the Git protocol, not the SSH framing around it). Thread-safe: the counter is
 * shared by every stream of the call.
 */
final class ReadBudget {
    /** The answer read past the byte bound. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** The call ran out of time while reading. */
    static final class OutOfTime extends IOException {
        private static final long serialVersionUID = 1L;

        OutOfTime(String message) {
            super(message);
        }
    }

    private final long maxBytes;
    private final long deadlineNanos;
    private final AtomicLong bytesRead = new AtomicLong();

    ReadBudget(long maxBytes, long deadlineNanos) {
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
    }

    long bytesRead() {
        return bytesRead.get();
    }

    /** The smaller of {@code capMs} and the time left, at least 1 ms: 0 means "wait forever" to sockets. */
    int remainingMs(long capMs) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(capMs, left)));
    }

    /** Counts {@code n} more bytes; fails past the byte bound or the deadline. */
    void count(int n) throws IOException {
        long total = bytesRead.addAndGet(n);
        if (total > maxBytes) {
            throw new TooLarge("the advertisement is larger than " + Units.bytes(maxBytes));
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new OutOfTime("still reading after " + total + " bytes when the time allowed ran out");
        }
    }

    /** {@code in}, with every byte read counted against this budget. */
    InputStream bound(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                count(0);
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                count(0);
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // Through read(), so that skipped bytes are counted too.
                byte[] skipped = new byte[(int) Math.max(0, Math.min(n, 8192))];
                return Math.max(0, read(skipped, 0, skipped.length));
            }
        };
    }
}

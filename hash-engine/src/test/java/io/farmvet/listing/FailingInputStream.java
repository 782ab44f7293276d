package io.farmvet.listing;

import java.io.IOException;
import java.io.InputStream;

/** Serves {@code data} up to {@code failAt} bytes, then throws {@code failure}, like a connection reset. */
final class FailingInputStream extends InputStream {
    private final byte[] data;
    private final int failAt;
    private final IOException failure;
    private int position;

    FailingInputStream(byte[] data, int failAt, IOException failure) {
        this.data = data;
        this.failAt = failAt;
        this.failure = failure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= failAt) {
            throw failure;
        }
        int n = Math.min(len, Math.min(failAt, data.length) - position);
        if (n <= 0) {
            return -1;
        }
        System.arraycopy(data, position, b, off, n);
        position += n;
        return n;
    }
}

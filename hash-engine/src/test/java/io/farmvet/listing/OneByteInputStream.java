package io.farmvet.listing;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Hands out at most one byte per read call, like a slow HTTP body, so that every token of a document straddles
 * a buffer refill somewhere (the idea of jackson-core's ThrottledInputStream).
 */
final class OneByteInputStream extends FilterInputStream {
    OneByteInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : super.read(b, off, 1);
    }

    @Override
    public long skip(long n) throws IOException {
        return super.skip(Math.min(n, 1));
    }

    @Override
    public int available() {
        return 0;
    }
}

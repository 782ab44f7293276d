package io.farmvet.listing;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** How a test document reaches the reader: in one read, or one byte per read call. */
enum Delivery {
    WHOLE,
    ONE_BYTE;

    InputStream open(byte[] document) {
        InputStream in = new ByteArrayInputStream(document);
        return this == WHOLE ? in : new OneByteInputStream(in);
    }
}

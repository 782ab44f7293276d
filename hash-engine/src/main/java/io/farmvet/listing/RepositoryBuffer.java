package io.farmvet.listing;

import java.util.Arrays;

/**
 * The repositories of one project whose {@code id} has not been read yet, held compactly until the project object
 * ends and they can be delivered with their project id.
 *
 * <p>Cost per entry: 8 bytes of id, 4 bytes of hex lengths and the packed hashes (32 bytes per SHA-256 hash), so
 * 76 bytes for a full listing against the ~190 bytes the entry takes as JSON; the arrays grow by half again, so the
 * buffer never holds much more than the JSON text of that one project. Bitbucket writes {@code id} first, so in
 * practice this stays empty. Not thread-safe: one per read.
 */
final class RepositoryBuffer {
    private static final int INITIAL_ENTRIES = 16;
    private static final int PACKED_PER_ENTRY = 64;

    private long[] ids = new long[0];
    private String[] slugs = new String[0];
    /** Two per entry, content then metadata; -1 for a hash the listing did not carry. */
    private short[] hexLengths = new short[0];

    private byte[] packed = new byte[0];
    private int size;
    private int packedSize;

    void clear() {
        size = 0;
        packedSize = 0;
    }

    int size() {
        return size;
    }

    void add(ListingEntry entry) {
        if (size == ids.length) {
            int capacity = Math.max(INITIAL_ENTRIES, size + (size >> 1));
            ids = Arrays.copyOf(ids, capacity);
            slugs = Arrays.copyOf(slugs, capacity);
            hexLengths = Arrays.copyOf(hexLengths, capacity * 2);
        }
        int needed = packedSize + entry.content.packedLength() + entry.metadata.packedLength();
        if (needed > packed.length) {
            packed = Arrays.copyOf(
                    packed,
                    Math.max(
                            needed,
                            Math.max(INITIAL_ENTRIES * PACKED_PER_ENTRY, packed.length + (packed.length >> 1))));
        }
        ids[size] = entry.repositoryId;
        slugs[size] = entry.slug;
        hexLengths[2 * size] = store(entry.content);
        hexLengths[2 * size + 1] = store(entry.metadata);
        size++;
    }

    private short store(HashValue hash) {
        if (!hash.present()) {
            return -1;
        }
        hash.copyTo(packed, packedSize);
        packedSize += hash.packedLength();
        return (short) hash.hexLength();
    }

    /** Cursor over the buffered entries in the order they were added. */
    Replay replay() {
        return new Replay();
    }

    final class Replay {
        private int next;
        private int packedOffset;

        boolean hasNext() {
            return next < size;
        }

        /** Fills {@code entry} with the next buffered repository of project {@code projectId}. */
        void fill(ListingEntry entry, long projectId) {
            entry.projectId = projectId;
            entry.repositoryId = ids[next];
            entry.slug = slugs[next];
            packedOffset = load(entry.content, hexLengths[2 * next], packedOffset);
            packedOffset = load(entry.metadata, hexLengths[2 * next + 1], packedOffset);
            next++;
        }

        private int load(HashValue hash, int hexLength, int offset) {
            hash.setPacked(packed, offset, hexLength);
            return hexLength < 0 ? offset : offset + ((hexLength + 1) >>> 1);
        }
    }
}

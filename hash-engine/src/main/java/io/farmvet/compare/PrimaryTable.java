package io.farmvet.compare;

import io.farmvet.listing.EntryRejectedException;
import io.farmvet.listing.HashValue;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The primary's listing held once, compactly, keyed by repository id, so that every node's listing can be
 * streamed against it in whatever order the node sends it.
 *
 * <p>Each repository is one row in a byte arena of 4 MiB chunks: its id, its index, the index of its project,
 * then both hashes as packed nibbles (a length byte, 0 for absent, then the nibbles): 82 bytes for 64-character
 * hashes. Chunks mean the arena never copies itself as it grows, so a 1M-repository table never needs twice its
 * size on the heap. An {@code int} per index finds a row by index.
 *
 * <p>Filling appends rows and nothing else; {@link #seal()} (called by the reader at the end of the listing) then
 * indexes them by id in one pass, and rejects an id listed twice. Bitbucket's repository ids are dense positive
 * integers, so where the span between the smallest and the largest id is under 4 per repository the index is an
 * {@code int} per id in that span, looked up by offset (4 bytes per repository at 1M dense ids); sparse ids, such
 * as the 53-bit hashed ids of farmvet's agent, get an open-addressing table of row references, at most half full.
 * Indexing while filling cost a random access into a growing table per repository, and its rehashes, on the one
 * thread every node waits for: a quarter of a 1M-repository primary's read (issue 7).
 *
 * <p>Project keys and repository slugs are kept only where the listing names them (farmvet's agent does, so that
 * a node can be asked to clone a repository it lacks; Bitbucket does not, and then they cost nothing). Fill it as
 * the {@link ListingHandler} of the primary's read; once sealed it is read-only and safe to share between the
 * threads comparing nodes.
 */
public final class PrimaryTable implements ListingHandler {
    private static final int INITIAL_CAPACITY = 1024;
    private static final int INITIAL_SLOTS = 16;
    /** Chunk size: 2^22 bytes, so that a row reference is the chunk number above 22 bits of offset. */
    private static final int CHUNK_SHIFT = 22;

    private static final int CHUNK_BYTES = 1 << CHUNK_SHIFT;
    /**
     * Bytes allocated per chunk: 64 short of 4 MiB, so that with the array header it fills whole G1 regions (1 or 2
     * MiB, the region sizes of heaps under 4 GiB) instead of spilling into one more. Each chunk is a humongous
     * allocation, and at -Xmx256m with the table past G1's occupancy threshold each one started a concurrent
     * marking cycle: 1 MiB chunks meant some 80 cycles per 1M-repository vet and more CPU than the old arrays.
     */
    private static final int CHUNK_ALLOCATION = CHUNK_BYTES - 64;
    /** The first chunk starts this small and doubles, so that a table of a few repositories stays small. */
    private static final int FIRST_CHUNK_BYTES = 16 << 10;
    /** Row references are non-negative ints: at most 2^9 chunks, 2 GiB of rows, some 26M repositories. */
    private static final int MAX_CHUNKS = 1 << (31 - CHUNK_SHIFT);

    private static final int ID = 0;
    private static final int INDEX = 8;
    private static final int PROJECT = 12;
    private static final int HASHES = 16;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final LongIndex byProjectId = new LongIndex(64);
    /**
     * A dense span of ids may be up to 4 per repository (plus some slack for small tables): 4 ints per repository at
     * most, what sparse ids' slots take at their largest (2 to 4).
     */
    private static final int DENSE_IDS_PER_REPOSITORY = 4;

    private static final int DENSE_SLACK = 1024;

    /** Row reference + 1 by hash of the repository id (0: an empty slot) once sealed with sparse ids, else null. */
    private int[] slots;
    /** Row reference + 1 by {@code id - minId} once sealed with dense ids (0: no such repository), else null. */
    private int[] byDenseId;

    private long minId = Long.MAX_VALUE;
    private long maxId = Long.MIN_VALUE;
    private boolean sealed;

    private int slotMask;
    /** Row reference by index. */
    private int[] rowAt = new int[INITIAL_CAPACITY];

    private byte[][] chunks = {new byte[FIRST_CHUNK_BYTES]};
    private int lastChunk;
    private int chunkUsed;
    private long[] projectIds = new long[64];
    private String[] projectKeys = new String[64];
    /** Null until the first entry with a slug. */
    private String[] slugs;

    private int size;

    @Override
    public void repository(ListingEntry entry) throws EntryRejectedException {
        if (sealed) {
            throw new IllegalStateException("the primary's table is sealed");
        }
        long id = entry.repositoryId();
        HashValue content = entry.content();
        HashValue metadata = entry.metadata();
        int rowBytes = HASHES + 2 + packedLength(content) + packedLength(metadata);
        int row = allocate(rowBytes, id);
        byte[] chunk = chunks[row >>> CHUNK_SHIFT];
        int at = row & (CHUNK_BYTES - 1);
        LONG.set(chunk, at + ID, id);
        INT.set(chunk, at + INDEX, size);
        INT.set(chunk, at + PROJECT, internProject(entry.projectId()));
        at = append(chunk, at + HASHES, content);
        append(chunk, at, metadata);

        if (size == rowAt.length) {
            int capacity = size * 2;
            rowAt = Arrays.copyOf(rowAt, capacity);
            if (slugs != null) {
                slugs = Arrays.copyOf(slugs, capacity);
            }
        }
        if (entry.slug() != null) {
            if (slugs == null) {
                slugs = new String[rowAt.length];
            }
            slugs[size] = entry.slug();
        }
        rowAt[size] = row;
        size++;
        minId = Math.min(minId, id);
        maxId = Math.max(maxId, id);
    }

    @Override
    public void project(long projectId, boolean isPublic, String key) {
        int index = internProject(projectId);
        if (key != null) {
            projectKeys[index] = key;
        }
    }

    /** The primary's listing has been read whole: {@link #seal()}s the table. */
    @Override
    public void end() throws EntryRejectedException {
        seal();
    }

    /**
     * Ends the primary's read and indexes it: no repository may be added after this, and none can be looked up
     * before. Where the ids are dense they are looked up by offset from the smallest, else through the slots.
     * Idempotent; call it before sharing the table.
     *
     * @throws EntryRejectedException a repository id is listed twice: the table stays unsealed and unusable
     */
    public void seal() throws EntryRejectedException {
        if (sealed) {
            return;
        }
        long span = maxId - minId; // negative when the subtraction overflows: ids that far apart are not dense
        if (size > 0 && span >= 0 && span < (long) DENSE_IDS_PER_REPOSITORY * size + DENSE_SLACK) {
            int[] dense = new int[(int) span + 1];
            for (int index = 0; index < size; index++) {
                int row = rowAt[index];
                int offset = (int) (idAt(row) - minId);
                if (dense[offset] != 0) {
                    throw listedTwice(dense[offset] - 1, row);
                }
                dense[offset] = row + 1;
            }
            byDenseId = dense;
        } else {
            int[] table = new int[Integer.highestOneBit(Math.max(INITIAL_SLOTS, 2 * size - 1)) << 1];
            int mask = table.length - 1;
            for (int index = 0; index < size; index++) {
                int row = rowAt[index];
                long id = idAt(row);
                int slot = slotOf(id, mask);
                for (int ref; (ref = table[slot]) != 0; slot = (slot + 1) & mask) {
                    if (idAt(ref - 1) == id) {
                        throw listedTwice(ref - 1, row);
                    }
                }
                table[slot] = row + 1;
            }
            slots = table;
            slotMask = mask;
        }
        sealed = true;
    }

    /** Rows are checked in listing order, so {@code first} is the earlier entry and {@code second} the later. */
    private EntryRejectedException listedTwice(int first, int second) {
        long id = idAt(second);
        return new EntryRejectedException(
                "repository " + id + " is listed twice (projects " + projectIds[projectIndexAt(first)] + " and "
                        + projectIds[projectIndexAt(second)] + ")",
                id);
    }

    /** Number of repositories. */
    public int size() {
        return size;
    }

    /** Index of the repository with this id, or -1 when the primary does not have it. */
    public int indexOf(long repositoryId) {
        int row = rowOf(repositoryId);
        return row < 0 ? -1 : indexAtRow(row);
    }

    public long repositoryId(int index) {
        return idAt(rowAt[checked(index)]);
    }

    public long projectId(int index) {
        return projectIds[projectIndexAt(rowAt[checked(index)])];
    }

    /** The key of the repository's project where the listing names it, else null. */
    public String projectKey(int index) {
        return projectKeys[projectIndexAt(rowAt[checked(index)])];
    }

    /** The repository's slug where the listing names it, else null. */
    public String slug(int index) {
        checked(index);
        return slugs == null ? null : slugs[index];
    }

    /** True when the primary lists this project (with or without repositories). */
    public boolean hasProject(long projectId) {
        return byProjectId.get(projectId) >= 0;
    }

    /** The primary's content hash of the repository at {@code index}, as hex, or null when not listed. */
    public String contentHex(int index) {
        int row = rowAt[checked(index)];
        return hex(chunks[row >>> CHUNK_SHIFT], (row & (CHUNK_BYTES - 1)) + HASHES);
    }

    /** The primary's metadata hash of the repository at {@code index}, as hex, or null when not listed. */
    public String metadataHex(int index) {
        int row = rowAt[checked(index)];
        byte[] chunk = chunks[row >>> CHUNK_SHIFT];
        int at = (row & (CHUNK_BYTES - 1)) + HASHES;
        return hex(chunk, at + 1 + packedLength(chunk[at]));
    }

    /** The row reference of the repository with this id, or -1: one probe sequence, for a node's hot path. */
    int rowOf(long repositoryId) {
        if (!sealed) {
            throw new IllegalStateException("the primary's table is looked up before seal()");
        }
        int[] dense = byDenseId;
        if (dense != null) {
            // Compared before subtracting, so that no id far outside the span can overflow into it.
            if (repositoryId < minId || repositoryId > maxId) {
                return -1;
            }
            return dense[(int) (repositoryId - minId)] - 1;
        }
        for (int slot = slotOf(repositoryId, slotMask), ref; (ref = slots[slot]) != 0; slot = (slot + 1) & slotMask) {
            if (idAt(ref - 1) == repositoryId) {
                return ref - 1;
            }
        }
        return -1;
    }

    int indexAtRow(int row) {
        return (int) INT.get(chunks[row >>> CHUNK_SHIFT], (row & (CHUNK_BYTES - 1)) + INDEX);
    }

    long projectIdAtRow(int row) {
        return projectIds[projectIndexAt(row)];
    }

    /**
     * Compares a node's entry (its project and hashes) with the primary's at {@code row}, found with {@link #rowOf}:
     * returns the {@link Kind} bits of {@link Kind#CONTENT} and {@link Kind#METADATA}, 0 when they agree.
     */
    int differencesAtRow(int row, long projectId, HashValue content, HashValue metadata) {
        byte[] chunk = chunks[row >>> CHUNK_SHIFT];
        int at = (row & (CHUNK_BYTES - 1)) + HASHES;
        int bits = 0;
        if (contentDiffers(chunk, at, content)) {
            bits |= Kind.CONTENT.bit;
        }
        int metadataAt = at + 1 + packedLength(chunk[at]);
        if (hashDiffers(chunk, metadataAt, metadata)
                || projectIds[(int) INT.get(chunk, (row & (CHUNK_BYTES - 1)) + PROJECT)] != projectId) {
            bits |= Kind.METADATA.bit;
        }
        return bits;
    }

    /**
     * Bits needed to cover the span of dense ids once sealed with them, else 0: a node can then tell an id listed
     * twice by its {@link #denseOffset} alone, without looking the repository up.
     */
    int denseSpan() {
        return byDenseId == null ? 0 : byDenseId.length;
    }

    /** {@code id - minId} where the ids are dense and {@code id} is within their span, else -1. */
    int denseOffset(long repositoryId) {
        if (byDenseId == null || repositoryId < minId || repositoryId > maxId) {
            return -1;
        }
        return (int) (repositoryId - minId);
    }

    /** Approximate bytes held (names not counted: only agent listings carry them), for the benchmark. */
    public long footprintBytes() {
        long arena = 0;
        for (int i = 0; i <= lastChunk; i++) {
            arena += chunks[i].length;
        }
        return byProjectId.footprintBytes()
                + (long) (slots == null ? 0 : slots.length) * Integer.BYTES
                + (long) (byDenseId == null ? 0 : byDenseId.length) * Integer.BYTES
                + (long) rowAt.length * Integer.BYTES
                + arena
                + (long) chunks.length * Long.BYTES
                + (long) projectIds.length * Long.BYTES;
    }

    private int checked(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of a table of " + size + " repositories");
        }
        return index;
    }

    private long idAt(int row) {
        return (long) LONG.get(chunks[row >>> CHUNK_SHIFT], (row & (CHUNK_BYTES - 1)) + ID);
    }

    private int projectIndexAt(int row) {
        return (int) INT.get(chunks[row >>> CHUNK_SHIFT], (row & (CHUNK_BYTES - 1)) + PROJECT);
    }

    private static boolean contentDiffers(byte[] chunk, int at, HashValue node) {
        // The all-zero placeholder on either side means "not computed yet", which counts as up to date.
        return hashDiffers(chunk, at, node) && !node.isZero() && !isZero(chunk, at);
    }

    /** Both present and different; an absent side (a /content or /metadata listing) cannot differ. */
    private static boolean hashDiffers(byte[] chunk, int at, HashValue node) {
        int hexLength = chunk[at] & 0xff;
        return hexLength != 0 && node.present() && !node.sameAs(chunk, at + 1, hexLength);
    }

    private static boolean isZero(byte[] chunk, int at) {
        int end = at + 1 + packedLength(chunk[at]);
        for (int i = at + 1; i < end; i++) {
            if (chunk[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] chunk, int at) {
        int hexLength = chunk[at] & 0xff;
        return hexLength == 0 ? null : HashValue.toHex(chunk, at + 1, hexLength);
    }

    private static int packedLength(byte hexLengthByte) {
        return ((hexLengthByte & 0xff) + 1) >>> 1;
    }

    private static int packedLength(HashValue hash) {
        return hash.present() ? hash.packedLength() : 0;
    }

    /** Writes a hash's length byte and nibbles at {@code at}; returns the offset after them. */
    private static int append(byte[] chunk, int at, HashValue hash) {
        if (hash.present()) {
            chunk[at] = (byte) hash.hexLength();
            hash.copyTo(chunk, at + 1);
            return at + 1 + hash.packedLength();
        }
        chunk[at] = 0;
        return at + 1;
    }

    /** Reserves {@code bytes} for a row and returns its reference. */
    private int allocate(int bytes, long id) throws EntryRejectedException {
        byte[] chunk = chunks[lastChunk];
        if (chunkUsed + bytes > chunk.length) {
            if (chunk.length < CHUNK_ALLOCATION) {
                // Only the first chunk grows in place; rows keep their offsets, so references stay valid.
                chunks[lastChunk] = Arrays.copyOf(chunk, Math.min(CHUNK_ALLOCATION, chunk.length * 2));
                return allocate(bytes, id);
            }
            if (lastChunk + 1 == MAX_CHUNKS) {
                throw new EntryRejectedException("repository " + id + ": the primary's table is full at " + size
                        + " repositories (" + ((long) MAX_CHUNKS << CHUNK_SHIFT) + " bytes of rows)");
            }
            if (lastChunk + 1 == chunks.length) {
                chunks = Arrays.copyOf(chunks, chunks.length * 2);
            }
            chunks[++lastChunk] = new byte[CHUNK_ALLOCATION];
            chunkUsed = 0;
        }
        int row = (lastChunk << CHUNK_SHIFT) | chunkUsed;
        chunkUsed += bytes;
        return row;
    }

    private static int slotOf(long key, int mask) {
        // Repository ids are mostly dense and sequential: spread them with the murmur3 finaliser.
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private int internProject(long projectId) {
        int count = byProjectId.size();
        int existing = byProjectId.putIfAbsent(projectId, count);
        if (existing >= 0) {
            return existing;
        }
        if (count == projectIds.length) {
            projectIds = Arrays.copyOf(projectIds, count * 2);
            projectKeys = Arrays.copyOf(projectKeys, count * 2);
        }
        projectIds[count] = projectId;
        return count;
    }
}

package io.farmvet.listing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Entries of a listing held for later, compactly, within a memory budget shared with other backlogs: what a vet
 * reads of a node's listing while the primary's is still being read. Each entry is its repository and project ids
 * and both hashes as packed nibbles, 82 bytes for 64-character hashes; slugs are not kept. Projects are kept apart,
 * in the order listed, and charged to the same budget.
 *
 * <p>Memory comes in chunks that double from {@value #FIRST_CHUNK_KIB} KiB to just under 4 MiB, each taken from a
 * {@link Semaphore} of KiB permits before it is allocated; {@link #add} says false, holding nothing more, once the
 * budget refuses a chunk. {@link #replay} and {@link #release} give the permits back. Not thread-safe; the budget
 * is.
 */
public final class EntryBacklog {
    static final int FIRST_CHUNK_KIB = 64;
    /** As the primary table's chunks: with the array header, whole 1 or 2 MiB G1 regions, never one more. */
    static final int LAST_CHUNK_BYTES = (4 << 20) - 64;

    private static final int MAX_ENTRY_BYTES = 8 + 8 + 2 + HashValue.MAX_HEX_LENGTH;
    /** A project's id, flag and key reference in their arrays, grown by half again: about 26 bytes, rounded up. */
    private static final int PROJECT_BYTES = 32;
    /** A String's header and array header, before its characters (two bytes each at most). */
    private static final int STRING_BYTES = 40;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Semaphore budgetKib;
    private final List<byte[]> chunks = new ArrayList<>();
    /** Bytes used in each chunk but the last, whose count is {@link #used}. */
    private int[] filled = new int[8];

    private int heldKib;
    private int used;
    private long entries;
    private long[] projectIds = new long[16];
    private boolean[] projectPublic = new boolean[16];
    private String[] projectKeys = new String[16];
    private int projects;
    /** What the projects take, and what was taken from the budget for them. */
    private long projectBytes;

    private int projectKib;

    /** @param budgetKib the memory this backlog may take, in KiB, shared with others */
    public EntryBacklog(Semaphore budgetKib) {
        this.budgetKib = budgetKib;
    }

    /** Holds a copy of {@code entry} (not its slug); false, holding nothing, when the budget is spent. */
    public boolean add(ListingEntry entry) {
        byte[] chunk = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
        if (chunk == null || used + MAX_ENTRY_BYTES > chunk.length) {
            int bytes = chunk == null ? FIRST_CHUNK_KIB << 10 : Math.min(LAST_CHUNK_BYTES, chunk.length * 2);
            int kib = (bytes + 1023) >> 10;
            if (!budgetKib.tryAcquire(kib)) {
                return false;
            }
            heldKib += kib;
            if (chunk != null) {
                if (chunks.size() > filled.length) {
                    filled = Arrays.copyOf(filled, filled.length * 2);
                }
                filled[chunks.size() - 1] = used;
            }
            chunk = new byte[bytes];
            chunks.add(chunk);
            used = 0;
        }
        LONG.set(chunk, used, entry.repositoryId);
        LONG.set(chunk, used + 8, entry.projectId);
        int at = store(chunk, used + 16, entry.content);
        used = store(chunk, at, entry.metadata);
        entries++;
        return true;
    }

    /**
     * Holds a project as {@link ListingHandler#project} was told of it; false, holding nothing more, when the budget
     * is spent. Projects are charged too (a node may list millions of empty ones): their id, flag and key.
     */
    public boolean addProject(long projectId, boolean isPublic, String key) {
        int bytes = PROJECT_BYTES + (key == null ? 0 : STRING_BYTES + 2 * key.length());
        if (projectBytes + bytes > (long) projectKib << 10) {
            int kib = Math.max(1, (bytes + 1023) >> 10);
            if (!budgetKib.tryAcquire(kib)) {
                return false;
            }
            heldKib += kib;
            projectKib += kib;
        }
        projectBytes += bytes;
        if (projects == projectIds.length) {
            projectIds = Arrays.copyOf(projectIds, projects * 2);
            projectPublic = Arrays.copyOf(projectPublic, projects * 2);
            projectKeys = Arrays.copyOf(projectKeys, projects * 2);
        }
        projectIds[projects] = projectId;
        projectPublic[projects] = isPublic;
        projectKeys[projects] = key;
        projects++;
        return true;
    }

    /** Repositories held. */
    public long size() {
        return entries;
    }

    /**
     * Hands every repository held to {@code handler} in the order added, then every project, then releases the
     * memory (also when the handler rejects one).
     */
    public void replay(ListingHandler handler) throws EntryRejectedException {
        try {
            ListingEntry entry = new ListingEntry();
            for (int c = 0; c < chunks.size(); c++) {
                byte[] chunk = chunks.get(c);
                int end = c == chunks.size() - 1 ? used : filled[c];
                for (int at = 0; at < end; ) {
                    entry.repositoryId = (long) LONG.get(chunk, at);
                    entry.projectId = (long) LONG.get(chunk, at + 8);
                    entry.slug = null;
                    at = load(chunk, at + 16, entry.content);
                    at = load(chunk, at, entry.metadata);
                    handler.repository(entry);
                }
            }
            for (int i = 0; i < projects; i++) {
                handler.project(projectIds[i], projectPublic[i], projectKeys[i]);
            }
        } finally {
            release();
        }
    }

    /** Drops everything held and gives its memory back to the budget. Idempotent. */
    public void release() {
        chunks.clear();
        budgetKib.release(heldKib);
        heldKib = 0;
        used = 0;
        entries = 0;
        projects = 0;
        projectBytes = 0;
        projectKib = 0;
        Arrays.fill(projectKeys, null);
    }

    /** A length byte (0 for absent: a present hash has 1 to 128 digits), then the packed nibbles. */
    private static int store(byte[] chunk, int at, HashValue hash) {
        if (!hash.present()) {
            chunk[at] = 0;
            return at + 1;
        }
        chunk[at] = (byte) hash.hexLength();
        hash.copyTo(chunk, at + 1);
        return at + 1 + hash.packedLength();
    }

    private static int load(byte[] chunk, int at, HashValue hash) {
        int hexLength = chunk[at] & 0xff;
        hash.setPacked(chunk, at + 1, hexLength == 0 ? -1 : hexLength);
        return at + 1 + ((hexLength + 1) >>> 1);
    }
}
